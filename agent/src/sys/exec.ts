// The one way the engine runs a helper program (ip, nft, mount, runc…). Output is captured and a
// non-zero exit becomes an ExecError carrying stderr, so callers can turn it into a clear message.
import { spawn } from 'node:child_process';

export class ExecError extends Error {
  constructor(
    readonly argv: string[],
    readonly code: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`${argv.join(' ')} exited ${code}: ${stderr.trim() || stdout.trim()}`);
    this.name = 'ExecError';
  }
}

export interface ExecOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Exit codes besides 0 that are not errors. */
  okCodes?: number[];
  timeoutMs?: number;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function exec(file: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new ExecError([file, ...args], null, '', e.message)));
    child.on('close', (code) => {
      const res = { code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
      if (code === 0 || (code !== null && opts.okCodes?.includes(code))) resolve(res);
      else reject(new ExecError([file, ...args], code, res.stdout, res.stderr));
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

/** True when the program can be found and run (used to probe runc/crun/nft/iptables). */
export async function canRun(file: string, args: string[] = ['--version']): Promise<boolean> {
  try {
    await exec(file, args, { timeoutMs: 5000 });
    return true;
  } catch {
    return false;
  }
}
