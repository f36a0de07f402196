// What the benchmarks start, they stop: a session holds cleanup steps (run last-in first-out, once,
// also on SIGINT/SIGTERM/SIGHUP), notes and problems for the report; host snapshots of firewall
// rules and cgroups let cleanup remove exactly what the peers added.
import { existsSync, mkdtempSync, promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { linkExists, log, run, unmountUnder } from './proc.mjs';

// Markers of firewall state that belongs to the peers started here; only such rules are removed.
export const FW_MARKERS = [/DOCKER/, /NETAVARK/, /\bCNI-/, /docker0/, /podman0/, /172\.30\.25[23]\./];

export function createSession() {
  const session = {
    /** [name, async fn] pairs, run last-in first-out. */
    cleanups: [],
    notes: [],
    problems: [],
    /** Temp dir of this run (set by the benchmark). */
    base: null,
    interrupted: false,
    cleanupPromise: null,
  };
  const cleanupAll = async () => {
    while (session.cleanups.length) {
      const [name, fn] = session.cleanups.pop();
      try {
        await fn();
      } catch (e) {
        log(`cleanup ${name} failed: ${e.message}`);
      }
    }
  };
  session.cleanupOnce = () => (session.cleanupPromise ??= cleanupAll());
  session.checkAbort = () => {
    if (session.interrupted) throw new Error('interrupted');
  };
  // On a signal: stop starting new work (checkAbort throws in the measuring code) and run the one
  // shared cleanup; runMain's `finally` waits for that same cleanup before exiting.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      if (session.interrupted) {
        log(`${sig} again: exiting without finishing cleanup`);
        process.exit(130);
      }
      session.interrupted = true;
      log(`${sig}: cleaning up`);
      session.cleanupOnce().finally(() => process.exit(130));
    });
  }
  return session;
}

/** Runs main, then the session's cleanup, warns about links still present, and exits. */
export async function runMain(session, main, { links = [] } = {}) {
  let exitCode = 0;
  try {
    await main();
  } catch (err) {
    exitCode = 1;
    console.error(`[bench] FAILED: ${err.stack ?? err}`);
  } finally {
    if (!session.interrupted) log('cleaning up');
    const before = session.notes.length;
    await session.cleanupOnce();
    for (const n of session.notes.slice(before)) log(`cleanup: ${n}`);
    const leftovers = links.filter(linkExists);
    if (leftovers.length) log(`warning: link(s) still present after cleanup: ${leftovers.join(', ')}`);
  }
  process.exit(session.interrupted ? 130 : exitCode);
}

/** Snapshots iptables/nft tables and the given cgroup tops; cleanup removes what appeared since. */
export async function guardHostState(session, cgroupTops = ['docker', 'libpod_parent']) {
  const ipt4 = await iptablesState('iptables');
  const ipt6 = await iptablesState('ip6tables');
  const tables0 = await nftTables();
  const cg0 = cgroupDirs(cgroupTops);
  session.cleanups.push(['firewall+cgroups', async () => {
    const n4 = await restoreIptables('iptables', ipt4);
    const n6 = await restoreIptables('ip6tables', ipt6);
    await dropEmptyNewTables(tables0);
    for (const n of [...n4, ...n6]) session.notes.push(`firewall cleanup: ${n}`);
    await removeNewCgroups(cg0, cgroupTops);
  }]);
}


export async function iptablesState(bin) {
  const st = {};
  for (const t of ['filter', 'nat', 'mangle', 'raw']) {
    const r = await run(bin, ['-w', '-t', t, '-S'], { timeoutMs: 15_000 });
    st[t] = r.code === 0 ? r.stdout.split('\n').filter(Boolean) : null;
  }
  return st;
}

async function nftTables() {
  const r = await run('nft', ['list', 'tables'], { timeoutMs: 15_000 });
  return r.code === 0 ? r.stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('table ')) : [];
}

function tokenize(line) {
  const out = [];
  let cur = '';
  let q = false;
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      q = !q;
      has = true;
    } else if (c === '\\' && q && i + 1 < line.length) {
      cur += line[++i];
    } else if (c === ' ' && !q) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else cur += c;
  }
  if (has || cur) out.push(cur);
  return out;
}

/** Remove the rules and chains (matching FW_MARKERS) that appeared since `before`. */
async function restoreIptables(bin, before) {
  const after = await iptablesState(bin);
  const notes = [];
  for (const t of Object.keys(after)) {
    if (!after[t]) continue;
    const prev = new Set(before[t] ?? []);
    const added = after[t].filter((l) => !prev.has(l) && FW_MARKERS.some((m) => m.test(l)));
    const rules = added.filter((l) => l.startsWith('-A '));
    const chains = added.filter((l) => l.startsWith('-N ')).map((l) => l.slice(3).trim());
    for (const r of rules.reverse()) {
      const tok = tokenize(r);
      const d = await run(bin, ['-w', '-t', t, '-D', ...tok.slice(1)], { timeoutMs: 15_000 });
      if (d.code !== 0) notes.push(`${bin} -t ${t} -D ${tok.slice(1).join(' ')}: ${d.stderr.trim()}`);
    }
    for (const c of chains) await run(bin, ['-w', '-t', t, '-F', c], { timeoutMs: 15_000 });
    for (const c of chains) {
      const d = await run(bin, ['-w', '-t', t, '-X', c], { timeoutMs: 15_000 });
      if (d.code !== 0) notes.push(`${bin} -t ${t} -X ${c}: ${d.stderr.trim()}`);
    }
  }
  return notes;
}

/** Delete iptables-nft tables that did not exist before and are now empty (only policies left). */
async function dropEmptyNewTables(tablesBefore) {
  const now = await nftTables();
  const prev = new Set(tablesBefore);
  for (const line of now) {
    if (prev.has(line)) continue;
    const [, family, name] = line.split(/\s+/);
    if (!['ip', 'ip6'].includes(family) || !['filter', 'nat', 'mangle', 'raw'].includes(name)) continue;
    const bin = family === 'ip' ? 'iptables' : 'ip6tables';
    const r = await run(bin, ['-w', '-t', name, '-S'], { timeoutMs: 15_000 });
    if (r.code === 0 && r.stdout.split('\n').filter(Boolean).every((l) => /^-P \S+ ACCEPT$/.test(l))) {
      await run('nft', ['delete', 'table', family, name], { timeoutMs: 15_000 });
    }
  }
}

export const CG = '/sys/fs/cgroup';
export function cgroupDirs(tops) {
  const out = [];
  const walk = (d, depth) => {
    out.push(d);
    if (depth > 4) return;
    let ents = [];
    try {
      ents = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) if (e.isDirectory()) walk(path.join(d, e.name), depth + 1);
  };
  let ctls = [];
  try {
    ctls = readdirSync(CG);
  } catch {
    return out;
  }
  for (const c of ctls) for (const t of tops) if (existsSync(path.join(CG, c, t))) walk(path.join(CG, c, t), 0);
  return out;
}
async function removeNewCgroups(before, tops) {
  const prev = new Set(before);
  const fresh = cgroupDirs(tops).filter((d) => !prev.has(d)).sort((a, b) => b.length - a.length);
  for (const d of fresh) await fs.rmdir(d).catch(() => undefined);
}

/** Creates the run's temp dir as session.base; cleanup unmounts anything under it and removes it. */
export function makeTempBase(session, prefix) {
  session.base = mkdtempSync(path.join(os.tmpdir(), prefix));
  const base = session.base;
  session.cleanups.push(['temp dirs', async () => {
    await unmountUnder([base]);
    await fs.rm(base, { recursive: true, force: true });
  }]);
  return base;
}
