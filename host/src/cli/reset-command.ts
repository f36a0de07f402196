// `berth reset [--force]`: stops the VM and removes its disk and state (images, containers and
// volumes go with the disk). Keys and settings stay. Asks y/N on a terminal; elsewhere --force.
import { rmSync } from 'node:fs';
import readline from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { BerthPaths } from '../home/berth-paths.ts';
import { stopVm } from './stop-command.ts';
import { vmDriver } from './vm-environment.ts';

export async function resetCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { force: { type: 'boolean', short: 'f' } } });
  const home = new BerthPaths();
  if (!values.force) {
    if (!process.stdin.isTTY) {
      process.stderr.write('berth reset: this deletes the VM disk (all images, containers, volumes); pass --force to confirm\n');
      return 2;
    }
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(`Delete the Berth VM disk and state in ${home.dir} (all images, containers and volumes)? [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      process.stderr.write('not reset\n');
      return 1;
    }
  }
  await stopVm(home);
  await vmDriver(home).delete();
  for (const f of [home.hostAgentEvents, home.dockerSocket, home.accelCache]) rmSync(f, { force: true });
  process.stderr.write('Berth reset: the next `berth start` boots a fresh VM\n');
  return 0;
}
