// Terminal sessions: an exec with a TTY on a hijacked connection, owned by the host rather than by
// a view. Output goes to a replay buffer and to live subscribers, so the UI can navigate away and
// come back to the same shell; `terminal.close` (or the shell exiting) ends it.
import { randomUUID } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import type { Duplex } from 'node:stream';
import type { EngineClient } from '../engine-client/engine-client.ts';
import { hostError } from '../engine-client/engine-api-error.ts';
import { OK, type ApiArea } from './api-area.ts';
import { ReplayBuffer } from './replay-buffer.ts';

/** bash when the image has it, else sh (Docker Desktop's choice too). */
export const DEFAULT_SHELL = ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi'];

/** How long an ended session's output stays readable before it is dropped. */
const ENDED_TTL_MS = 10 * 60 * 1000;

interface Session {
  execId: string;
  socket: Duplex;
  buffer: ReplayBuffer;
  listeners: Set<(data: string) => void>;
  ended: Promise<void>;
  done: boolean;
}

export class TerminalSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly engine: EngineClient) {}

  api(): ApiArea<'terminal'> {
    return {
      'terminal.open': async ({ containerId, cols, rows, cmd }) => ({ sessionId: await this.open(containerId, cols, rows, cmd) }),
      'terminal.output': async ({ sessionId }, emit, signal) => this.follow(sessionId, (data) => emit({ data }), signal),
      'terminal.input': async ({ sessionId, data }) => {
        const s = this.get(sessionId);
        if (s.done) throw hostError('InvalidArgument', 'the terminal session has ended');
        s.socket.write(data);
        return OK;
      },
      'terminal.resize': async ({ sessionId, cols, rows }) => {
        await this.engine.json('POST', `/exec/${this.get(sessionId).execId}/resize`, { query: { h: rows, w: cols } });
        return OK;
      },
      'terminal.close': async ({ sessionId }) => {
        this.close(sessionId);
        return OK;
      },
    };
  }

  async open(containerId: string, cols: number, rows: number, cmd?: string[]): Promise<string> {
    const exec = await this.engine.json<{ Id: string }>('POST', `/containers/${encodeURIComponent(containerId)}/exec`, {
      body: {
        AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true,
        Cmd: cmd?.length ? cmd : DEFAULT_SHELL, Env: ['TERM=xterm-256color'], ConsoleSize: [rows, cols],
      },
    });
    const socket = await this.engine.hijack(`/exec/${exec.Id}/start`, { Detach: false, Tty: true, ConsoleSize: [rows, cols] });
    const id = randomUUID();
    const decoder = new StringDecoder('utf8');
    const s: Session = {
      execId: exec.Id, socket, buffer: new ReplayBuffer(), listeners: new Set(), done: false,
      ended: new Promise<void>((resolve) => {
        const end = () => {
          if (s.done) return;
          s.done = true;
          resolve();
          setTimeout(() => this.sessions.get(id) === s && this.sessions.delete(id), ENDED_TTL_MS).unref();
        };
        socket.on('end', end).on('close', end).on('error', end);
      }),
    };
    socket.on('data', (b: Buffer) => {
      const text = decoder.write(b);
      if (!text) return;
      s.buffer.append(text);
      for (const l of s.listeners) l(text);
    });
    this.sessions.set(id, s);
    return id;
  }

  /** Replays the buffer, then live output until the session ends or the subscriber goes. */
  async follow(sessionId: string, onData: (data: string) => void, signal: AbortSignal): Promise<void> {
    const s = this.get(sessionId);
    const replay = s.buffer.text();
    if (replay) onData(replay);
    if (s.done) return;
    s.listeners.add(onData);
    try {
      await Promise.race([s.ended, new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }))]);
    } finally {
      s.listeners.delete(onData);
    }
  }

  close(sessionId: string): void {
    const s = this.get(sessionId);
    this.sessions.delete(sessionId);
    if (s.done) return;
    // There is no "kill exec" in Docker's API: kill the line and send EOF so the shell exits, then
    // hang up our end.
    s.socket.write('\x15\x04');
    s.socket.end();
    setTimeout(() => s.socket.destroy(), 2000).unref();
  }

  closeAll(): void {
    for (const id of [...this.sessions.keys()]) this.close(id);
  }

  private get(sessionId: string): Session {
    const s = this.sessions.get(sessionId);
    if (!s) throw hostError('NotFound', `no terminal session ${sessionId}`);
    return s;
  }
}
