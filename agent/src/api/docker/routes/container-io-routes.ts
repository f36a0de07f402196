// logs, attach (hijacked or plain) and TTY resize.
import type { Readable } from 'node:stream';
import type { Engine } from '../../../engine/engine.ts';
import { attachContainer, containerLogs, resizeContainer } from '../../../engine/container-io.ts';
import { invalid } from '../../../errors.ts';
import type { Router, RequestContext } from '../router.ts';
import { bool, int, parseTime } from '../http-io.ts';
import { contentTypeFor, frame, responseSink, socketSink, type Sink } from '../stream-framing.ts';

export function registerContainerIoRoutes(r: Router, engine: Engine): void {
  const ctx = engine.ctx;

  r.on('GET', '/containers/:id/logs', async (c) => {
    const rec = ctx.containers.get(c.params.id);
    const stdout = bool(c.query, 'stdout');
    const stderr = bool(c.query, 'stderr');
    if (!stdout && !stderr) throw invalid('Bad parameters: you must choose at least one stream');
    const tailRaw = c.query.get('tail');
    const tail = !tailRaw || tailRaw === 'all' ? undefined : Number(tailRaw);
    const timestamps = bool(c.query, 'timestamps');
    const tty = rec.spec.tty;
    const res = c.res!;
    res.writeHead(200, { 'Content-Type': contentTypeFor(tty) });
    res.flushHeaders();
    for await (const chunk of containerLogs(ctx, rec, {
      follow: bool(c.query, 'follow'),
      stdout,
      stderr,
      since: parseTime(c.query.get('since')),
      until: parseTime(c.query.get('until')),
      tail: tail !== undefined && Number.isFinite(tail) && tail >= 0 ? tail : undefined,
      signal: c.signal,
    })) {
      const data = timestamps ? Buffer.concat([Buffer.from(`${chunk.time} `), chunk.data]) : chunk.data;
      res.write(tty ? data : frame(chunk.stream, data));
    }
    res.end();
  });

  r.on('POST', '/containers/:id/attach', async (c) => {
    const rec = ctx.containers.get(c.params.id);
    const stdin = bool(c.query, 'stdin');
    const session = attachContainer(ctx, rec, {
      stdin,
      stdout: bool(c.query, 'stdout'),
      stderr: bool(c.query, 'stderr'),
      logs: bool(c.query, 'logs'),
      stream: bool(c.query, 'stream'),
      signal: c.signal,
    });
    const sink = openSink(c, rec.spec.tty);
    if (stdin) {
      const input = (c.hijack?.socket ?? c.req) as Readable;
      if (c.hijack?.head.length) input.unshift(c.hijack.head);
      void session.pipeInput(input);
    }
    for await (const chunk of session.output) sink.write(rec.spec.tty ? chunk.data : frame(chunk.stream, chunk.data));
    sink.end();
  });

  r.on('POST', '/containers/:id/resize', async (c) => {
    const rec = ctx.containers.get(c.params.id);
    await resizeContainer(ctx, rec, int(c.query, 'w') ?? 80, int(c.query, 'h') ?? 24);
    c.res!.writeHead(200);
    c.res!.end();
  });

}

export function openSink(c: RequestContext, tty: boolean): Sink {
  return c.hijack ? socketSink(c.hijack.socket, contentTypeFor(tty)) : responseSink(c.res!, contentTypeFor(tty));
}
