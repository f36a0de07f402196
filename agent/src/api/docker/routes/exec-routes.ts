// docker exec: create, start (hijacked or detached), resize, inspect.
import { Readable } from 'node:stream';
import type { Engine } from '../../../engine/engine.ts';
import { invalid } from '../../../errors.ts';
import type { Router } from '../router.ts';
import { int, jsonBody, sendJson } from '../http-io.ts';
import { frame } from '../stream-framing.ts';
import { openSink } from './container-io-routes.ts';

interface ExecBody {
  Cmd?: string[];
  Env?: string[];
  User?: string;
  WorkingDir?: string;
  Tty?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Privileged?: boolean;
  ConsoleSize?: [number, number] | null;
  Detach?: boolean;
}

export function registerExecRoutes(r: Router, engine: Engine): void {
  r.on('POST', '/containers/:id/exec', async (c) => {
    const b = await jsonBody<ExecBody>(c);
    if (!Array.isArray(b.Cmd) || b.Cmd.length === 0) throw invalid('No exec command specified');
    const e = engine.execs.create(c.params.id, {
      cmd: b.Cmd,
      env: b.Env ?? [],
      user: b.User ?? '',
      workingDir: b.WorkingDir ?? '',
      tty: !!b.Tty,
      attachStdin: !!b.AttachStdin,
      attachStdout: b.AttachStdout !== false,
      attachStderr: b.AttachStderr !== false,
      privileged: !!b.Privileged,
      consoleSize: b.ConsoleSize ?? undefined,
    });
    sendJson(c, 201, { Id: e.id });
  });

  r.on('POST', '/exec/:id/start', async (c) => {
    const b = await jsonBody<ExecBody>(c, { optional: true });
    const e = engine.execs.get(c.params.id);
    if (b.ConsoleSize) e.spec.consoleSize = b.ConsoleSize;
    if (b.Detach) {
      const started = await engine.execs.start(e.id);
      started.pipeInput(emptyReadable());
      void (async () => {
        for await (const _ of started.output) void _;
      })();
      if (c.res) {
        c.res.writeHead(200);
        c.res.end();
      } else c.hijack!.socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const tty = e.spec.tty;
    const sink = openSink(c, tty);
    let started: Awaited<ReturnType<typeof engine.execs.start>>;
    try {
      started = await engine.execs.start(e.id);
    } catch (err) {
      // The stream is already upgraded: like dockerd, write the error into it; the CLI then reads
      // the exit code (126/127) from exec inspect.
      const msg = Buffer.from(`${(err as Error).message}\r\n`);
      sink.write(tty ? msg : frame('stdout', msg));
      sink.end();
      return;
    }
    if (e.spec.attachStdin) {
      const input = (c.hijack?.socket ?? c.req) as Readable;
      started.pipeInput(input);
    }
    for await (const chunk of started.output) {
      if ((chunk.stream === 'stdout' && !e.spec.attachStdout) || (chunk.stream === 'stderr' && !e.spec.attachStderr)) continue;
      sink.write(tty ? chunk.data : frame(chunk.stream, chunk.data));
    }
    await started.exited;
    sink.end();
  });

  r.on('POST', '/exec/:id/resize', (c) => {
    engine.execs.resize(c.params.id, int(c.query, 'w') ?? 80, int(c.query, 'h') ?? 24);
    c.res!.writeHead(200);
    c.res!.end();
  });

  r.on('GET', '/exec/:id/json', (c) => {
    const e = engine.execs.get(c.params.id);
    sendJson(c, 200, {
      ID: e.id,
      Running: e.running,
      ExitCode: e.exitCode,
      ProcessConfig: { tty: e.spec.tty, entrypoint: e.spec.cmd[0], arguments: e.spec.cmd.slice(1), privileged: e.spec.privileged, user: e.spec.user },
      OpenStdin: e.spec.attachStdin,
      OpenStderr: e.spec.attachStderr,
      OpenStdout: e.spec.attachStdout,
      CanRemove: false,
      ContainerID: e.containerId,
      DetachKeys: '',
      Pid: e.pid,
    });
  });
}

function emptyReadable(): Readable {
  return Readable.from([]);
}
