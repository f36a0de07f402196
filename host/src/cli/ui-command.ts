// `berth ui [--port N] [--socket S]`: web mode against a running engine.
import { parseArgs } from 'node:util';
import { engineSocket } from '../engine-client/engine-socket.ts';
import { runWebMode } from './web-mode.ts';

export const uiUsage = 'berth ui [--port N] [--socket PATH] [--mode native|vm]';

export async function uiCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string' }, socket: { type: 'string' }, mode: { type: 'string', default: 'native' } },
  });
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not ${values.port}`);
  if (values.mode !== 'native' && values.mode !== 'vm') throw new Error('--mode is native or vm');
  await runWebMode({ socket: engineSocket(values.socket), port, mode: values.mode });
  return 0;
}
