// `berth restart [start flags]`: stop, then start with the same flags.
import { BerthPaths } from '../home/berth-paths.ts';
import { startCommand } from './start-command.ts';
import { stopVm } from './stop-command.ts';

export async function restartCommand(argv: string[]): Promise<number> {
  await stopVm(new BerthPaths());
  return startCommand(argv);
}
