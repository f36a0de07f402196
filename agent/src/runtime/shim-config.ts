// What the engine tells a container's shim (written as JSON next to the bundle, passed as argv[1]),
// and what the shim reports back. Shared by shim/main.ts and runtime/shim-client.ts.
import path from 'node:path';
import type { PortBinding } from '../network/port-proxy.ts';
import type { CgroupVersion } from '../cgroups/cgroup-probe.ts';

export interface ShimConfig {
  id: string;
  /** OCI bundle directory (holds config.json). */
  bundle: string;
  /** Path of the OCI runtime binary (runc or crun). */
  runtime: string;
  /** The runtime's --root: our own state dir, never the system default. */
  runtimeRoot: string;
  /** Unix socket the shim serves attach/resize/exit on (mode 0600). */
  socketPath: string;
  /** Docker json-file log; absent = log driver "none". */
  logPath?: string;
  /** Where the shim writes the ExitStatus when the container ends. */
  exitPath: string;
  /** The runtime's pid file; default <bundle>/init.pid. */
  pidPath?: string;
  /** The runtime's JSON log (--log); default <bundle>/runtime.log. */
  runtimeLogPath?: string;
  tty: boolean;
  openStdin: boolean;
  stdinOnce: boolean;
  /** Initial terminal size (TTY only); default 80x24. */
  consoleSize?: { cols: number; rows: number };
  cgroupsPath: string;
  cgroupVersion: CgroupVersion;
  /** Published ports: the shim holds the listening sockets for the container's lifetime. */
  ports: PortBinding[];
}

export interface ExitStatus {
  exitCode: number;
  oomKilled: boolean;
  finishedAt: string;
  /** Set when the engine could not learn the real status (the shim died). */
  error?: string;
}

/** The one line a shim prints on stdout once the container runs, or has failed to. */
export type ShimReady =
  | { ok: true; pid: number; ports: PortBinding[] }
  | { ok: false; error: string; exitCode: number; kind?: 'Conflict' | 'InvalidArgument' | 'Internal' };

export function shimPidPath(c: ShimConfig): string {
  return c.pidPath ?? path.join(c.bundle, 'init.pid');
}

export function shimRuntimeLogPath(c: ShimConfig): string {
  return c.runtimeLogPath ?? path.join(c.bundle, 'runtime.log');
}
