// `berth logs [--serial|--agent] [-n LINES]`: the guest's serial console and the host agent's log.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BerthPaths } from '../home/berth-paths.ts';

export async function logsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { serial: { type: 'boolean' }, agent: { type: 'boolean' }, lines: { type: 'string', short: 'n' } } });
  const home = new BerthPaths();
  const n = Number(values.lines ?? 200);
  const both = !values.serial && !values.agent;
  const files = [
    ...(both || values.agent ? [home.hostAgentLog, `${home.logsDir}/qemu.stderr.log`] : []),
    ...(both || values.serial ? [home.serialLog] : []),
  ];
  for (const f of files) {
    if (!existsSync(f)) continue;
    const lines = readFileSync(f, 'utf8').split('\n');
    process.stdout.write(`==> ${f} <==\n${lines.slice(-n - 1).join('\n')}\n`);
  }
  return 0;
}
