// Starts the engine natively (Linux, root) as a child process for `npm start`, with its output in
// BERTH_HOME/logs/engine.log so the Troubleshoot view can show it.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, mkdirSync, closeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EngineClient } from '../engine-client/engine-client.ts';
import { tailFile } from '../api/settings-api.ts';

export interface NativeEngine {
  proc: ChildProcess;
  logFile: string;
  /** daemon.json the engine reads at start (registry settings from the UI land here). */
  configFile: string;
  stop(): Promise<void>;
}

export async function startNativeEngine(agent: string, socket: string, home: string, timeoutMs = 60_000): Promise<NativeEngine> {
  const logDir = path.join(home, 'logs');
  mkdirSync(logDir, { recursive: true, mode: 0o700 });
  const logFile = path.join(logDir, 'engine.log');
  const fd = openSync(logFile, 'a', 0o600);
  const configFile = path.join(home, 'daemon.json');
  const proc = spawn(process.execPath, [agent, '--socket', socket, '--config-file', configFile], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const client = new EngineClient(socket);
  const t0 = Date.now();
  while (!(await client.ping())) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`the engine exited (${proc.exitCode ?? proc.signalCode}):\n${await tailFile(logFile, 4096)}`);
    }
    if (Date.now() - t0 > timeoutMs) {
      proc.kill('SIGTERM');
      throw new Error(`the engine did not answer on ${socket} within ${timeoutMs / 1000} s; see ${logFile}`);
    }
    await sleep(100);
  }
  return {
    proc,
    logFile,
    configFile,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}
