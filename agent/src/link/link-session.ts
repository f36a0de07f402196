// One SSH session on the link: `exec` and `shell`, with a PTY when the client asked for one, plus
// the commands the link answers itself (LINK_EXEC: status, UDP relay).
import { spawn } from 'node:child_process';
import type { ServerChannel, Session, PseudoTtyInfo } from 'ssh2';
import { LINK_EXEC } from '../../../protocol/src/link-wire.ts';
import { ptyBackend } from './pty-backend.ts';
import { guestStatus } from './guest-status.ts';
import { relayUdp } from './udp-relay.ts';

export interface SessionOptions {
  engineSocket: string;
  shell: string;
}

export function handleSession(session: Session, opts: SessionOptions): void {
  let pty: PseudoTtyInfo | undefined;
  const env: Record<string, string> = {};
  let resize: ((cols: number, rows: number) => void) | undefined;
  session.on('pty', (accept, _reject, info) => {
    pty = info;
    accept?.();
  });
  session.on('env', (accept, _reject, info) => {
    env[info.key] = info.val;
    accept?.();
  });
  session.on('window-change', (accept, _reject, info) => {
    resize?.(info.cols, info.rows);
    accept?.();
  });
  session.on('shell', (accept) => {
    resize = run(accept(), undefined, pty, env, opts);
  });
  session.on('exec', (accept, _reject, info) => {
    const channel = accept();
    if (info.command === LINK_EXEC.status) {
      channel.write(`${JSON.stringify(guestStatus(opts.engineSocket))}\n`);
      return finish(channel, 0);
    }
    if (info.command.startsWith(`${LINK_EXEC.udp} `)) {
      const [, ip, port] = info.command.split(' ');
      return relayUdp(channel, ip, Number(port));
    }
    resize = run(channel, info.command, pty, env, opts);
  });
}

/** Exit status after all output: an empty write's callback runs once earlier writes are sent. */
function finish(channel: ServerChannel, code: number): void {
  channel.write(Buffer.alloc(0), () => {
    channel.exit(code);
    channel.end();
  });
}

type Resize = (cols: number, rows: number) => void;

function run(channel: ServerChannel, command: string | undefined, pty: PseudoTtyInfo | undefined,
  extraEnv: Record<string, string>, opts: SessionOptions): Resize | undefined {
  const env = { ...process.env, ...extraEnv, ...(pty ? { TERM: pty.term || 'xterm-256color' } : {}) };
  const backend = pty ? ptyBackend() : { kind: 'none' as const };
  if (pty && backend.kind === 'node-pty') {
    const args = command === undefined ? ['-l'] : ['-c', command];
    const proc = backend.pty.spawn(opts.shell, args, { name: env.TERM ?? 'xterm', cols: pty.cols || 80, rows: pty.rows || 24, cwd: '/', env });
    proc.onData((d) => channel.write(d));
    proc.onExit(({ exitCode }) => finish(channel, exitCode));
    channel.on('data', (d: Buffer) => proc.write(d.toString('utf8')));
    channel.on('close', () => proc.kill());
    return (cols, rows) => proc.resize(cols, rows);
  }
  let file = opts.shell;
  let args = command === undefined ? ['-i'] : ['-c', command];
  if (pty && backend.kind === 'script') {
    // `script` allocates the pty; size it once, since resizes cannot reach it.
    const inner = `stty rows ${pty.rows || 24} cols ${pty.cols || 80} 2>/dev/null; exec ${command ?? `${opts.shell} -l`}`;
    file = 'script';
    args = ['-q', '-c', inner, '/dev/null'];
  }
  const child = spawn(file, args, { env, cwd: '/', stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdout.pipe(channel, { end: false });
  child.stderr.pipe(channel.stderr, { end: false });
  channel.pipe(child.stdin);
  child.on('error', (err) => {
    channel.stderr.write(`berth link: ${err.message}\n`);
    finish(channel, 127);
  });
  child.on('close', (code, signal) => finish(channel, code ?? (signal ? 128 : 1)));
  channel.on('close', () => child.kill());
  return undefined;
}
