// Container shims are Node processes, and a Node start is most of a `docker run` (~50 ms natively,
// seconds under TCG in the VM). The pool keeps one shim started ahead of time, waiting on its
// stdin for the container it will run; a start takes it and a replacement is started in the
// background. The standby dies with the engine (its stdin closes); once handed a container it is
// an ordinary detached shim that outlives the engine.
import type { ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { spawnDetached } from '../sys/detached-process.ts';

export interface LaunchedShim {
  child: ChildProcess;
  /** Where the shim's stderr goes (read back when it fails to start). */
  stderrPath: string;
}

interface Standby { child: ChildProcess; log: string; alive: boolean }

export class ShimPool {
  private standby?: Standby;
  private refillTimer?: NodeJS.Timeout;
  private closed = false;
  private n = 0;

  /** dir: the standbys' stderr files, on the same file system as the containers' (renamed on take). */
  constructor(private readonly shimScript: string, private readonly dir: string, private readonly refillDelayMs = 300) {}

  /** Clears what standbys of an earlier engine left, then starts one after delayMs. */
  async start(delayMs: number): Promise<void> {
    await fs.rm(this.dir, { recursive: true, force: true });
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.schedule(delayMs);
  }

  /** A shim running configPath: the standby if one is up, else a fresh process. */
  async launch(configPath: string, stderrPath: string): Promise<LaunchedShim> {
    const s = this.standby;
    this.standby = undefined;
    this.schedule(this.refillDelayMs);
    if (s?.alive && s.child.stdin?.writable) {
      // Its stderr file becomes the container's shim.log (same file system: a rename).
      const log = await fs.rename(s.log, stderrPath).then(() => stderrPath, () => s.log);
      s.child.stdin.end(JSON.stringify({ config: configPath }) + '\n');
      return { child: s.child, stderrPath: log };
    }
    if (s) s.child.kill('SIGKILL');
    return { child: spawnDetached(process.execPath, [this.shimScript, configPath], { stderrPath }), stderrPath };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.refillTimer);
    this.standby?.child.kill('SIGTERM');
    this.standby = undefined;
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.standby || this.refillTimer) return;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined;
      this.spawnStandby();
    }, delayMs);
    this.refillTimer.unref();
  }

  private spawnStandby(): void {
    if (this.closed || this.standby) return;
    const log = path.join(this.dir, `standby-${process.pid}-${this.n++}.log`);
    let child: ChildProcess;
    try {
      // The directory on the command line says whose standby this is (as a config path would).
      child = spawnDetached(process.execPath, [this.shimScript, '--standby', this.dir], { stderrPath: log, stdin: true });
    } catch {
      return; // no standby: launches spawn directly
    }
    const s: Standby = { child, log, alive: true };
    child.on('exit', () => {
      s.alive = false;
      if (this.standby === s) this.standby = undefined;
    });
    child.on('error', () => (s.alive = false));
    child.stdin!.on('error', () => (s.alive = false));
    // An idle standby must not keep the engine's event loop alive.
    child.unref();
    (child.stdout as unknown as { unref?: () => void })?.unref?.();
    (child.stdin as unknown as { unref?: () => void })?.unref?.();
    this.standby = s;
  }
}
