// Where Berth keeps its per-user state: BERTH_HOME, else ~/.berth.
import os from 'node:os';
import path from 'node:path';

export function berthHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.BERTH_HOME ? path.resolve(env.BERTH_HOME) : path.join(os.homedir(), '.berth');
}
