// Pid files and the start lock. A pid file whose process is gone is stale and removed; the lock
// is created exclusively (link(2), like O_EXCL) so two `berth start` at once cannot both win.
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in `file` if that process is alive; removes the file when it is stale. */
export function livePid(file: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return pid;
  rmSync(file, { force: true });
  return undefined;
}

export async function acquireLock(file: string, timeoutMs: number): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Written aside, then linked into place: link() is O_EXCL-atomic and the file is never
    // seen half-written (an empty lock would look stale to the other starter).
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, `${process.pid}\n`, { mode: 0o600 });
    try {
      linkSync(tmp, file);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      rmSync(tmp, { force: true });
    }
    if (livePid(file) === undefined) continue; // holder died: livePid removed the file
    if (Date.now() > deadline) throw new Error(`another berth command holds ${file}`);
    await sleep(200);
  }
}
