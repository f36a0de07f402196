// Drives the OCI runtime binary for everything but running the container (the shim does that):
// kill, pause, resume, state, ps, delete, list. crun on pure cgroup v2 (the VM); runc otherwise,
// since crun 1.8 refuses hybrid hosts. Always with our own --root.
import { promises as fs } from 'node:fs';
import { exec, ExecError } from '../sys/exec.ts';
import { conflict, internal, notFound } from '../errors.ts';

export type RuntimeName = 'runc' | 'crun';

export interface RuntimeState {
  id: string;
  pid: number;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  bundle: string;
}

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

async function findBinary(name: string): Promise<string | undefined> {
  for (const dir of SEARCH_PATH) {
    const p = `${dir}/${name}`;
    if (await fs.access(p, fs.constants.X_OK).then(() => true, () => false)) return p;
  }
  return undefined;
}

/** Pure cgroup v2: a unified hierarchy at the root and no v1 controller mounted beside it. */
export async function isPureCgroupV2(root = '/sys/fs/cgroup'): Promise<boolean> {
  const hasControllers = await fs.access(`${root}/cgroup.controllers`).then(() => true, () => false);
  if (!hasControllers) return false;
  const mounts = await fs.readFile('/proc/self/mounts', 'utf8').catch(() => '');
  return !mounts.split('\n').some((l) => l.split(' ')[2] === 'cgroup');
}

export class OciRuntime {
  constructor(
    readonly name: RuntimeName,
    readonly path: string,
    readonly version: string,
    readonly root: string,
  ) {}

  static async probe(root: string, opts: { prefer?: RuntimeName } = {}): Promise<OciRuntime> {
    const order: RuntimeName[] = opts.prefer ? [opts.prefer] : (await isPureCgroupV2()) ? ['crun', 'runc'] : ['runc'];
    for (const name of order) {
      const p = await findBinary(name);
      if (!p) continue;
      const { stdout } = await exec(p, ['--version']);
      const version = /version\s+(\S+)/.exec(stdout)?.[1] ?? 'unknown';
      await fs.mkdir(root, { recursive: true, mode: 0o700 });
      return new OciRuntime(name, p, version, root);
    }
    throw internal(`no usable OCI runtime found (tried ${order.join(', ')})`);
  }

  private async run(args: string[], id?: string): Promise<string> {
    try {
      return (await exec(this.path, ['--root', this.root, ...args], { timeoutMs: 30_000 })).stdout;
    } catch (e) {
      throw this.translate(e, id);
    }
  }

  private translate(e: unknown, id?: string): Error {
    const text = e instanceof ExecError ? `${e.stderr} ${e.stdout}`.trim() : String(e);
    if (/does not exist|not found|no such file/i.test(text) && id) return notFound(`No such container: ${id}`);
    if (/not paused/i.test(text)) return conflict(`Container ${id} is not paused`);
    if (/not running/i.test(text)) return conflict(`Container ${id} is not running`);
    return internal(`${this.name}: ${text.replace(/^time=".*?" level=\w+ msg="(.*)"$/m, '$1')}`, e);
  }

  /** signal as a name ('SIGTERM', 'TERM') or number. */
  async kill(id: string, signal: string | number, opts: { all?: boolean } = {}): Promise<void> {
    const sig = typeof signal === 'number' ? String(signal) : signal.toUpperCase().replace(/^SIG/, '');
    await this.run(['kill', ...(opts.all ? ['--all'] : []), id, sig], id);
  }

  async pause(id: string): Promise<void> {
    await this.run(['pause', id], id);
  }

  async resume(id: string): Promise<void> {
    await this.run(['resume', id], id);
  }

  async state(id: string): Promise<RuntimeState> {
    const s = JSON.parse(await this.run(['state', id], id)) as { id: string; pid: number; status: RuntimeState['status']; bundle: string };
    return { id: s.id, pid: s.pid, status: s.status, bundle: s.bundle };
  }

  async ps(id: string): Promise<number[]> {
    const out = await this.run(['ps', '--format', 'json', id], id);
    return (JSON.parse(out.trim() || '[]') as number[] | null) ?? [];
  }

  async delete(id: string, force = false): Promise<void> {
    try {
      await this.run(['delete', ...(force ? ['--force'] : []), id], id);
    } catch (e) {
      // Already gone is what delete wants.
      if (!(e instanceof Error && 'kind' in e && e.kind === 'NotFound')) throw e;
    }
  }

  async list(): Promise<RuntimeState[]> {
    const out = await this.run(['list', '--format', 'json']);
    const arr = (JSON.parse(out.trim() || '[]') as Array<{ id: string; pid: number; status: RuntimeState['status']; bundle: string }> | null) ?? [];
    return arr.map((s) => ({ id: s.id, pid: s.pid, status: s.status, bundle: s.bundle }));
  }
}
