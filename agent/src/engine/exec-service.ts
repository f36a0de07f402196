// docker exec: sessions live in memory (as in dockerd, they do not survive an engine restart).
// Each runs `runc exec` as a child of the engine through runtime/exec-process.
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { conflict, notFound } from '../errors.ts';
import { startExec, type ExecHandle } from '../runtime/exec-process.ts';
import { resolveUser } from '../runtime/user-resolver.ts';
import type { EngineContext } from './context.ts';
import { containerPaths } from './container-paths.ts';
import type { OutputChunk } from './container-io.ts';

export interface ExecSpec {
  cmd: string[];
  env: string[];
  user: string;
  workingDir: string;
  tty: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  privileged: boolean;
  consoleSize?: [number, number];
}

export interface ExecRecord {
  id: string;
  containerId: string;
  spec: ExecSpec;
  running: boolean;
  exitCode: number | null;
  pid: number;
  handle?: ExecHandle;
}

export class ExecService {
  private readonly execs = new Map<string, ExecRecord>();

  constructor(private readonly ctx: EngineContext) {}

  create(containerRef: string, spec: ExecSpec): ExecRecord {
    const rec = this.ctx.containers.get(containerRef);
    if (rec.state.status === 'paused') throw conflict(`Container ${rec.id} is paused, unpause the container before exec`);
    if (rec.state.status !== 'running') throw conflict(`container ${rec.id} is not running`);
    const id = randomBytes(32).toString('hex');
    const e: ExecRecord = { id, containerId: rec.id, spec, running: false, exitCode: null, pid: 0 };
    this.execs.set(id, e);
    this.ctx.events.emit('container', `exec_create: ${spec.cmd.join(' ')}`, rec.id, { execID: id, image: rec.spec.image, name: rec.name });
    return e;
  }

  get(id: string): ExecRecord {
    const e = this.execs.get(id);
    if (!e) throw notFound(`No such exec instance: ${id}`);
    return e;
  }

  /** Starts the process; output and exit are on the returned handle. */
  async start(id: string): Promise<{ output: AsyncIterable<OutputChunk>; pipeInput: (r: Readable) => void; exited: Promise<number> }> {
    const e = this.get(id);
    if (e.running || e.exitCode !== null) throw conflict(`exec ${id} has already been started`);
    const rec = this.ctx.containers.get(e.containerId);
    if (rec.state.status !== 'running') throw conflict(`container ${rec.id} is not running`);
    const container = this.ctx.containers.get(e.containerId);
    const user = await resolveUser(containerPaths(this.ctx, rec.id).rootfs, e.spec.user || container.spec.user);
    const env = [...container.spec.env.filter((kv) => !e.spec.env.some((o) => o.split('=')[0] === kv.split('=')[0])), ...e.spec.env];
    if (e.spec.tty && !env.some((kv) => kv.startsWith('TERM='))) env.push('TERM=xterm');
    let handle: ExecHandle;
    try {
      handle = await startExec(this.ctx.runtime, rec.id, {
      args: e.spec.cmd,
      env,
      cwd: e.spec.workingDir || container.spec.workingDir || '/',
      user,
      tty: e.spec.tty,
      privileged: e.spec.privileged || container.spec.host.privileged,
      capAdd: container.spec.host.capAdd,
      capDrop: container.spec.host.capDrop,
      bounding: this.ctx.hostCaps,
      rows: e.spec.consoleSize?.[0],
      cols: e.spec.consoleSize?.[1],
      });
    } catch (err) {
      e.exitCode = typeof (err as { exitCode?: unknown }).exitCode === 'number' ? (err as { exitCode: number }).exitCode : 126;
      throw err;
    }
    e.running = true;
    e.pid = handle.pid;
    e.handle = handle;
    this.ctx.events.emit('container', `exec_start: ${e.spec.cmd.join(' ')}`, rec.id, { execID: id, image: rec.spec.image, name: rec.name });
    const exited = handle.exited.then((code) => {
      e.running = false;
      e.exitCode = code;
      e.handle = undefined;
      this.ctx.events.emit('container', 'exec_die', rec.id, { execID: id, exitCode: String(code), image: rec.spec.image, name: rec.name });
      return code;
    });
    return {
      output: handle.output,
      pipeInput: (r: Readable) => (e.spec.attachStdin ? r.pipe(handle.input) : r.resume()),
      exited,
    };
  }

  resize(id: string, cols: number, rows: number): void {
    const e = this.get(id);
    e.handle?.resize(cols, rows);
  }

  /** Execs of a container that has gone away are dropped. */
  forgetContainer(containerId: string): void {
    for (const [id, e] of this.execs) if (e.containerId === containerId && !e.running) this.execs.delete(id);
  }
}
