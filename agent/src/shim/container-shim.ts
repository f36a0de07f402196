// One container's life as its shim sees it, as named steps: open published ports, serve the
// socket, run the runtime in the foreground, report readiness, then on exit record the status
// (OOM counter read before `runtime delete` removes the cgroup), tell clients, clean up.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { exec } from '../sys/exec.ts';
import { writeJsonAtomic } from '../sys/atomic-file.ts';
import { readOomKillCount, watchOomKillCount } from '../cgroups/cgroup-oom.ts';
import { LogWriter } from '../runtime/log-writer.ts';
import { spawnRuntimeProcess, type RuntimeProcess } from '../runtime/runtime-process.ts';
import { shimPidPath, shimRuntimeLogPath, type ExitStatus, type ShimConfig, type ShimReady } from '../runtime/shim-config.ts';
import { runtimeStartError } from '../runtime/start-error.ts';
import { lastRuntimeError, waitForPid } from '../runtime/runtime-start-watch.ts';
import type { PortProxy } from '../network/port-proxy.ts';
import { AttachServer } from './attach-server.ts';


async function openPorts(c: ShimConfig): Promise<PortProxy[]> {
  if (!c.ports.length) return [];
  const { openAll } = await import('../network/port-proxy.ts');
  return openAll(c.ports);
}



/** runc can keep the container (and its cgroup) after exit for the OOM check; crun cannot. */
const keepsState = (c: ShimConfig) => path.basename(c.runtime) !== 'crun';

function runtimeArgs(c: ShimConfig): string[] {
  return ['--root', c.runtimeRoot, '--log', shimRuntimeLogPath(c), '--log-format', 'json',
    'run', ...(keepsState(c) ? ['--keep'] : []), '--bundle', c.bundle, '--pid-file', shimPidPath(c), c.id];
}

export async function runShim(c: ShimConfig, report: (r: ShimReady) => void): Promise<void> {
  let proxies: PortProxy[];
  try {
    proxies = await openPorts(c);
  } catch (e) {
    const kind = (e as { kind?: string }).kind === 'Conflict' ? 'Conflict' : 'Internal';
    report({ ok: false, error: (e as Error).message, exitCode: 128, kind });
    return;
  }
  await Promise.all([fs.rm(shimPidPath(c), { force: true }), fs.rm(shimRuntimeLogPath(c), { force: true }), fs.rm(c.exitPath, { force: true })]);
  const logs = c.logPath ? new LogWriter(c.logPath) : undefined;
  let pid = 0;
  // Filled in once the runtime is spawned; the socket is served before that.
  const io: { proc?: RuntimeProcess } = {};
  const server = new AttachServer(c.socketPath, {
    pid: () => pid,
    exitPath: c.exitPath,
    write: (d) => io.proc?.write(d),
    endStdin: () => io.proc?.endStdin(),
    resize: (cols, rows) => io.proc?.resize(cols, rows),
    openStdin: c.openStdin,
    stdinOnce: c.stdinOnce,
  });
  await server.listen();
  const proc = await spawnRuntimeProcess(c.runtime, runtimeArgs(c), {
    tty: c.tty, stdin: c.openStdin, cols: c.consoleSize?.cols, rows: c.consoleSize?.rows,
    onOutput: (stream, data) => {
      logs?.write(stream, data);
      server.output(stream, data);
    },
  });
  io.proc = proc;
  const started = await waitForPid(shimPidPath(c), proc.exited);
  if (started === undefined) {
    await proc.exited;
    const err = runtimeStartError(await lastRuntimeError(shimRuntimeLogPath(c), 'container process exited before it started'));
    await release(c, { logs, proxies });
    report({ ok: false, ...err });
    await server.close();
    return;
  }
  pid = started;
  const oomWatch = keepsState(c) ? undefined : watchOomKillCount(c.cgroupsPath, c.cgroupVersion);
  report({ ok: true, pid, ports: proxies.map((p) => ({ ...p.binding, hostPort: p.hostPort })) });
  const exitCode = await proc.exited;
  const oomKilled = Math.max(await readOomKillCount(c.cgroupsPath, c.cgroupVersion), oomWatch?.latest() ?? 0) > 0;
  oomWatch?.close();
  // Release the runtime state and ports before telling anyone: the engine may restart the
  // container (same id, same ports) the moment it hears of the exit.
  await release(c, { logs, proxies });
  const status: ExitStatus = { exitCode, oomKilled, finishedAt: new Date().toISOString() };
  await writeJsonAtomic(c.exitPath, status);
  await server.exit(status);
  await server.close();
}

async function release(c: ShimConfig, r: { logs?: LogWriter; proxies: PortProxy[] }): Promise<void> {
  await exec(c.runtime, ['--root', c.runtimeRoot, 'delete', '--force', c.id]).catch(() => undefined);
  await r.logs?.close();
  await Promise.allSettled(r.proxies.map((p) => p.close()));
}
