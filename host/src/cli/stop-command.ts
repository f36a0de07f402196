// `berth stop`: asks the host agent to stop (it powers the VM off over QMP, then kills it after a
// timeout); stops an orphaned QEMU directly.
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthPaths } from '../home/berth-paths.ts';
import { isAlive, livePid } from '../vm/pid-file.ts';
import { vmDriver } from './vm-environment.ts';

export async function stopVm(home: BerthPaths): Promise<boolean> {
  const agent = livePid(home.hostAgentPid);
  const driver = vmDriver(home);
  const wasRunning = agent !== undefined || (await driver.status()).state === 'running';
  if (agent !== undefined) {
    process.kill(agent, 'SIGTERM');
    const deadline = Date.now() + 45_000;
    while (isAlive(agent) && Date.now() < deadline) await sleep(100);
  }
  await driver.stop(30_000);
  return wasRunning;
}

export async function stopCommand(_argv: string[]): Promise<number> {
  const home = new BerthPaths();
  process.stderr.write((await stopVm(home)) ? 'Berth stopped\n' : 'Berth is not running\n');
  return 0;
}
