// stop, kill, restart, pause/unpause, wait and rename. Stop and kill signal through the OCI
// runtime and learn about the exit from the shim, like every other exit.
import { EngineError, conflict, invalid } from '../errors.ts';
import type { EngineContext } from './context.ts';
import type { ContainerRecord } from './types.ts';
import { startContainer } from './container-start.ts';

const SIGNALS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11, USR2: 12,
  PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22,
  URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, PWR: 30, SYS: 31,
};

/** 'SIGTERM', 'TERM', '15' → 'SIGTERM'; anything else is Docker's "Invalid signal". */
export function parseSignal(sig: string): string {
  const s = sig.toUpperCase().replace(/^SIG/, '');
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    const name = Object.keys(SIGNALS).find((k) => SIGNALS[k] === n);
    if (name) return `SIG${name}`;
    if (n >= 34 && n <= 64) return String(n);
  } else if (SIGNALS[s]) {
    return `SIG${s}`;
  } else if (/^RTMIN(\+\d+)?$|^RTMAX(-\d+)?$/.test(s)) {
    return `SIG${s}`;
  }
  throw invalid(`Invalid signal: ${sig}`);
}

const isLive = (rec: ContainerRecord) => rec.state.status === 'running' || rec.state.status === 'paused';

export async function killContainer(ctx: EngineContext, rec: ContainerRecord, signal = 'SIGKILL'): Promise<void> {
  const sig = parseSignal(signal);
  if (!isLive(rec)) throw conflict(`cannot kill container: ${rec.id.slice(0, 12)}: container ${rec.id} is not running`);
  if (sig === 'SIGKILL' || sig === 'SIGTERM' || sig === 'SIGINT') rec.state.stoppedByUser = true;
  await ctx.runtime.kill(rec.id, sig);
  ctx.events.emit('container', 'kill', rec.id, { image: rec.spec.image, name: rec.name, signal: String(SIGNALS[sig.replace(/^SIG/, '')] ?? sig) });
}

/** Resolves with the exit code once the exit has been fully handled (resources released). */
export function waitNotRunning(ctx: EngineContext, id: string): Promise<number> {
  const rec = ctx.containers.tryGet(id);
  if (!rec || (rec.state.status !== 'running' && rec.state.status !== 'paused' && rec.state.status !== 'restarting')) {
    return Promise.resolve(rec?.state.exitCode ?? 0);
  }
  return waitNextExit(ctx, id);
}

export function waitNextExit(ctx: EngineContext, id: string): Promise<number> {
  return new Promise((resolve) => {
    let set = ctx.waiters.get(id);
    if (!set) ctx.waiters.set(id, (set = new Set()));
    set.add(resolve);
  });
}

export async function stopContainer(ctx: EngineContext, rec: ContainerRecord, timeoutS?: number | null): Promise<void> {
  if (rec.state.status === 'restarting') {
    rec.state.stoppedByUser = true;
    rec.state.status = 'exited';
    await ctx.containers.save(rec);
    return;
  }
  if (!isLive(rec)) throw new EngineError('NotModified', 'Container already stopped');
  rec.state.stoppedByUser = true;
  const timeout = timeoutS ?? rec.spec.stopTimeout ?? 10;
  const exited = waitNotRunning(ctx, rec.id);
  if (rec.state.status === 'paused') await ctx.runtime.resume(rec.id).catch(() => undefined);
  if (timeout !== 0) {
    await killContainer(ctx, rec, rec.spec.stopSignal).catch(() => undefined);
  }
  const timedOut = timeout < 0 ? false : await Promise.race([exited.then(() => false), sleep(timeout * 1000).then(() => true)]);
  if (timedOut || timeout === 0) await killContainer(ctx, rec, 'SIGKILL').catch(() => undefined);
  await exited;
  ctx.events.emit('container', 'stop', rec.id, { image: rec.spec.image, name: rec.name });
}

export async function restartContainer(ctx: EngineContext, rec: ContainerRecord, timeoutS?: number | null): Promise<void> {
  if (isLive(rec)) await stopContainer(ctx, rec, timeoutS);
  await ctx.lock(rec.id, () => startContainer(ctx, rec));
  ctx.events.emit('container', 'restart', rec.id, { image: rec.spec.image, name: rec.name });
}

export async function pauseContainer(ctx: EngineContext, rec: ContainerRecord): Promise<void> {
  if (rec.state.status === 'paused') throw conflict(`container ${rec.id} is already paused`);
  if (rec.state.status !== 'running') throw conflict(`container ${rec.id} is not running`);
  await ctx.runtime.pause(rec.id);
  rec.state.status = 'paused';
  await ctx.containers.save(rec);
  ctx.events.emit('container', 'pause', rec.id, { image: rec.spec.image, name: rec.name });
}

export async function unpauseContainer(ctx: EngineContext, rec: ContainerRecord): Promise<void> {
  if (rec.state.status !== 'paused') throw conflict(`container ${rec.id} is not paused`);
  await ctx.runtime.resume(rec.id);
  rec.state.status = 'running';
  await ctx.containers.save(rec);
  ctx.events.emit('container', 'unpause', rec.id, { image: rec.spec.image, name: rec.name });
}

export async function renameContainer(ctx: EngineContext, rec: ContainerRecord, newName: string): Promise<void> {
  if (!newName) throw invalid('Neither old nor new names may be empty');
  const bare = ctx.containers.checkName(newName, rec.id);
  const oldName = rec.name;
  rec.name = bare;
  await ctx.containers.save(rec);
  ctx.events.emit('container', 'rename', rec.id, { name: bare, oldName: `/${oldName}` });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
