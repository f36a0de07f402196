// `berth start`: boots the VM through a detached host agent (so this command can return, as
// Lima's `limactl start` does), shows its progress, and returns once the engine answers /_ping
// through BERTH_HOME/docker.sock. A lock makes two concurrent starts share one VM.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { EventLog, EventLogReader } from '../hostagent/event-log.ts';
import { EngineClient } from '../ports/engine-client.ts';
import { acquireLock, isAlive, livePid } from '../vm/pid-file.ts';
import { Progress } from './progress.ts';
import { SIZE_OPTIONS, startEnvironment } from './vm-environment.ts';

const BOOT_TIMEOUT_S = 300;

export async function startCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...SIZE_OPTIONS, timeout: { type: 'string' } } });
  const env = await startEnvironment(values);
  const { home, driver } = env;
  const timeoutS = Number(values.timeout ?? BOOT_TIMEOUT_S);
  const progress = new Progress();
  const release = await acquireLock(home.startLock, timeoutS * 1000);
  try {
    const engine = new EngineClient(home.dockerSocket);
    const running = livePid(home.hostAgentPid);
    if (running !== undefined) {
      progress.update('Berth is already running; waiting for the engine');
      if (!(await waitPing(engine, timeoutS * 1000, () => isAlive(running)))) {
        throw new Error(isAlive(running) ? 'the running VM does not answer; try `berth restart`' : 'the VM that was starting failed; see `berth logs`');
      }
      progress.done(`Berth is running — engine at unix://${home.dockerSocket}`);
      return 0;
    }
    // A QEMU without its host agent (the agent was killed): nothing serves it, so stop it first.
    if ((await driver.status()).state === 'running') {
      progress.update('stopping a VM left without its host agent');
      await driver.stop(30_000);
    }
    const events = new EventLog(home.hostAgentEvents);
    events.reset();
    const log = openSync(home.hostAgentLog, 'a', 0o600);
    const { cpus, memoryMiB, diskGiB, accel, sharedFolders } = env.config;
    const cli = process.env.BERTH_CLI ?? process.argv[1];
    const shares = sharedFolders.flatMap((f) => ['--share', f]);
    const agent = spawn(process.execPath, [cli, 'hostagent', '--cpus', String(cpus), '--memory', String(memoryMiB), '--disk', String(diskGiB), '--accel', accel, ...shares, '--timeout', String(timeoutS)], {
      detached: true, stdio: ['ignore', log, log], env: process.env,
    });
    agent.unref();
    const ok = await follow(new EventLogReader(home.hostAgentEvents), agent.pid ?? 0, progress, timeoutS * 1000);
    // No second /_ping here: the agent says ready only after its own went through this socket
    // (under TCG each one is a channel opened by the guest's link, a few hundred ms).
    if (!ok) return 1;
    progress.done(`Berth is running — engine at unix://${home.dockerSocket}\n  use it: export DOCKER_HOST=unix://${home.dockerSocket}   (or: berth context)`);
    return 0;
  } finally {
    release();
  }
}

async function follow(reader: EventLogReader, pid: number, progress: Progress, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const e of reader.read()) {
      if (e.type === 'progress') progress.update(e.message);
      else if (e.type === 'ready') return true;
      else if (e.type === 'error' || e.type === 'exit') {
        progress.done(`berth start failed: ${e.message}\n  logs: berth logs`);
        return false;
      }
    }
    if (!isAlive(pid)) {
      progress.done('berth start failed: the host agent exited; see `berth logs`');
      return false;
    }
    await sleep(50);
  }
  progress.done(`berth start: not ready after ${timeoutMs / 1000}s; see \`berth logs\``);
  return false;
}

/** Pings until the engine answers, the time is up, or the host agent serving it is gone. */
async function waitPing(engine: EngineClient, timeoutMs: number, agentAlive: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && agentAlive()) {
    if (await engine.ping()) return true;
    await sleep(300);
  }
  return false;
}
