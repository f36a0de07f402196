// The persistent data disk (the engine's data root): qcow2, created once, grown when the setting
// grows. Shrinking would lose data, so a smaller setting is reported and ignored.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const GiB = 1024 ** 3;

export async function ensureDataDisk(qemuImg: string, file: string, sizeGiB: number, log: (l: string) => void): Promise<void> {
  if (!existsSync(file)) {
    await run(qemuImg, ['create', '-q', '-f', 'qcow2', file, `${sizeGiB}G`]);
    log(`created data disk ${file} (${sizeGiB} GiB, grows as used)`);
    return;
  }
  const { stdout } = await run(qemuImg, ['info', '--output=json', '-U', file]);
  const current = (JSON.parse(stdout) as { 'virtual-size': number })['virtual-size'];
  if (current < sizeGiB * GiB) {
    await run(qemuImg, ['resize', '-q', file, `${sizeGiB}G`]);
    log(`grew data disk to ${sizeGiB} GiB (the guest grows its file system on boot)`);
  } else if (current > sizeGiB * GiB) {
    log(`data disk is ${Math.round(current / GiB)} GiB; a smaller setting (${sizeGiB} GiB) is ignored — shrinking would lose data (berth reset starts over)`);
  }
}
