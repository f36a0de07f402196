// How a foreground `runc run` / `runc exec` is known to have started or failed: its pid file
// appears, or it exits first and its JSON log (--log-format json) says why. Used by the shim
// (containers) and by exec-process (execs).
import { promises as fs } from 'node:fs';

/** Waits for the runtime's pid file; undefined if the runtime exits first. */
export async function waitForPid(pidFile: string, exited: Promise<number>): Promise<number | undefined> {
  let done = false;
  void exited.then(() => (done = true));
  for (let delay = 1; ; delay = Math.min(delay * 2, 20)) {
    const text = await fs.readFile(pidFile, 'utf8').catch(() => '');
    if (text.trim()) return Number(text.trim());
    if (done) return undefined;
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** The runtime's last error message from its JSON log, or the last line when none is JSON. */
export async function lastRuntimeError(logFile: string, fallback: string): Promise<string> {
  const lines = (await fs.readFile(logFile, 'utf8').catch(() => '')).split('\n').filter(Boolean).reverse();
  for (const l of lines) {
    try {
      const e = JSON.parse(l) as { level?: string; msg?: string };
      if (e.level === 'error' && e.msg) return e.msg;
    } catch {
      // a non-JSON line (crun writes some plain text); used if nothing better turns up
    }
  }
  return lines[0] ?? fallback;
}
