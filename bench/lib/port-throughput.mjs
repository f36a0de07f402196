// Throughput of one large HTTP download from busybox httpd serving a random file: in a container
// behind a published port (Berth VM: host agent → link → guest; native: the engine's own port
// publishing) or on the host's loopback as the reference. The client is the same plain Node HTTP
// GET everywhere (bytes counted and dropped); MB/s = bytes / time from request to the last byte.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { stats } from './measure.mjs';
import { DOCKER, run, waitExit } from './proc.mjs';
import { freePort } from './registry.mjs';

const MiB = 1024 * 1024;
const HOST_BUSYBOX = '/usr/bin/busybox';

/** One GET of url; resolves { ok, bytes, ms, mbps } or { ok: false, err }. */
export function fetchOnce(url, timeoutMs = 600_000) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let bytes = 0;
    const req = http.get(url, { agent: false }, (res) => {
      res.on('data', (b) => (bytes += b.length));
      res.on('end', () => {
        const ms = performance.now() - t0;
        if (res.statusCode !== 200) resolve({ ok: false, err: `HTTP ${res.statusCode}` });
        else resolve({ ok: true, bytes, ms, mbps: bytes / MiB / (ms / 1000) });
      });
      res.on('error', (e) => resolve({ ok: false, err: e.message }));
    });
    req.on('error', (e) => resolve({ ok: false, err: e.message }));
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
  });
}

/** Polls url until it answers 200 (the published port is forwarded and the server is up). */
export async function waitHttp(url, timeoutMs, checkAbort = () => undefined) {
  const t0 = performance.now();
  let last = '';
  while (performance.now() - t0 < timeoutMs) {
    checkAbort();
    const r = await fetchOnce(url, 5_000);
    if (r.ok) return performance.now() - t0;
    last = r.err;
    await sleep(250);
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s (last: ${last})`);
}

/** busybox httpd on 127.0.0.1 serving a random `mb` MiB file from dir; stopped in the session's cleanup. */
export async function hostServer(session, dir, mb) {
  await fs.mkdir(dir, { recursive: true });
  const fh = await fs.open(path.join(dir, 'big'), 'w');
  for (let i = 0; i < mb; i++) await fh.write(randomBytes(MiB));
  await fh.close();
  await fs.writeFile(path.join(dir, 'ready'), 'ok\n');
  const port = await freePort();
  const proc = spawn(HOST_BUSYBOX, ['httpd', '-f', '-p', `127.0.0.1:${port}`, '-h', dir], { stdio: 'ignore' });
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    if (!(await waitExit(proc, 5_000))) proc.kill('SIGKILL');
  };
  session.cleanups.push(['host httpd', stop]);
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/ready`, 10_000);
  return { url, stop, server: `busybox httpd (${HOST_BUSYBOX}) on 127.0.0.1` };
}

/**
 * The same server in a container (image: the busybox fixture) with `-p 127.0.0.1:<port>:8080`; the
 * file is written by `dd if=/dev/urandom` into a tmpfs inside the container. Returns once the
 * host port answers.
 */
export async function containerServer(env, { image, mb, name, checkAbort }) {
  const port = await freePort();
  const script = `dd if=/dev/urandom of=/www/big bs=1M count=${mb} 2>/dev/null && echo ok >/www/ready && exec httpd -f -p 8080 -h /www`;
  const r = await run(DOCKER, ['run', '-d', '--pull=never', '--name', name, '-p', `127.0.0.1:${port}:8080`, '--tmpfs', '/www', image, 'sh', '-c', script], { env, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`docker run of the httpd container failed: ${(r.stderr || r.stdout).trim().slice(0, 300)}`);
  const url = `http://127.0.0.1:${port}`;
  const stop = () => run(DOCKER, ['rm', '-f', name], { env, timeoutMs: 60_000 });
  try {
    const readyMs = await waitHttp(`${url}/ready`, 300_000, checkAbort);
    return { url, stop, readyMs };
  } catch (e) {
    const logs = await run(DOCKER, ['logs', '--tail', '20', name], { env, timeoutMs: 30_000 });
    await stop();
    throw new Error(`${e.message}; container log: ${(logs.stdout + logs.stderr).trim().slice(-300)}`);
  }
}

/** `fetches` downloads of url/big (after one warm-up), each checked for the full size; MB/s stats. */
export async function measureDownload(url, { mb, fetches, checkAbort = () => undefined }) {
  const mbps = [];
  const errors = [];
  for (let i = -1; i < fetches; i++) {
    checkAbort();
    const r = await fetchOnce(`${url}/big`);
    if (r.ok && r.bytes !== mb * MiB) errors.push(`got ${r.bytes} bytes, expected ${mb * MiB}`);
    else if (!r.ok) errors.push(r.err);
    else if (i >= 0) mbps.push(r.mbps);
  }
  return { stats: stats(mbps), errors };
}
