// Process and kernel-object helpers for the benchmarks: running commands with timing, finding and
// ending the processes a peer left behind (by a unique temp path in their command line), RSS, and
// mounts under a prefix.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export const DOCKER = existsSync('/usr/local/bin/docker') ? '/usr/local/bin/docker' : 'docker';

export function run(file, args, { env, timeoutMs = 60_000, input, cwd } = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let child;
    try {
      child = spawn(file, args, { env: env ?? process.env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ code: -1, stdout: '', stderr: String(e), ms: 0 });
      return;
    }
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    const timer = setTimeout(() => {
      stderr += `\n[bench] killed after ${timeoutMs} ms`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      stderr += String(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, ms: performance.now() - t0 });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

export async function must(file, args, o) {
  const r = await run(file, args, o);
  if (r.code !== 0) throw new Error(`${path.basename(file)} ${args.join(' ')} failed (${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 600)}`);
  return r;
}

export const log = (...a) => console.error('[bench]', ...a);

export function vmRssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** pids of all processes whose command line contains `needle` (a unique temp path of ours). */
export function pidsWithCmdline(needle) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle)) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

export function childrenOf(pid) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

export function commOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

export async function killPids(pids, signal = 'SIGKILL') {
  for (const p of pids) {
    try {
      process.kill(p, signal);
    } catch {
      /* gone */
    }
  }
}

export async function waitExit(proc, ms) {
  if (proc.exitCode !== null || proc.signalCode !== null) return true;
  return Promise.race([new Promise((r) => proc.once('exit', () => r(true))), sleep(ms).then(() => false)]);
}

export function mountsUnder(prefixes) {
  const lines = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  const mps = [];
  for (const l of lines) {
    const mp = l.split(' ')[4];
    if (mp && prefixes.some((p) => mp === p || mp.startsWith(p + '/'))) mps.push(mp.replace(/\\040/g, ' '));
  }
  return mps.sort((a, b) => b.length - a.length);
}

export async function unmountUnder(prefixes) {
  for (let pass = 0; pass < 3; pass++) {
    const mps = mountsUnder(prefixes);
    if (!mps.length) return;
    for (const mp of mps) await run('umount', ['-l', mp], { timeoutMs: 10_000 });
  }
}

export const linkExists = (name) => existsSync(`/sys/class/net/${name}`);
