#!/usr/bin/env node
// Pull benchmark: a real registry (docker-registry 2.8) on 127.0.0.1 holds a ~100 MB, 6-layer image
// (test/fixtures/big-image.ts, pushed with skopeo); `docker pull` of it is timed through Berth and
// through a private dockerd (networking off; 127.0.0.0/8 is insecure by default for both), cold
// each time: the image is removed and pruned between runs. Also unpack throughput: Berth's
// applyLayer against `tar -xf` of the same layers. Writes bench/.work/pull-results.md. Needs root.
//   node bench/pull-bench.mjs [--runs N] [--no-unpack]
import { promises as fs } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createSession, guardHostState, makeTempBase, runMain } from './lib/cleanup.mjs';
import { stats } from './lib/measure.mjs';
import { startBerth, startDockerd } from './lib/peers.mjs';
import { DOCKER, log, run } from './lib/proc.mjs';
import { pushFixture, startRegistry } from './lib/registry.mjs';
import { fmtMbps, fmtMs, mark, markdownTable, ratio, finishReport } from './lib/report.mjs';
import { FIXTURES, WORK, ensureBuilt, importTs } from './lib/setup.mjs';
import { extractArchiveLayers, measureUnpack } from './lib/unpack-floor.mjs';

const BRIDGE = 'bbpull0';
const SUBNET = '172.31.250.0/24';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string' },
    'no-unpack': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log('usage: node bench/pull-bench.mjs [--runs N] [--no-unpack]');
  process.exit(0);
}
const RUNS = opts.runs ? Math.max(1, Number.parseInt(opts.runs, 10)) : 3;

const session = createSession();
const { notes, problems } = session;

const duBytes = async (dir) => {
  const r = await run('du', ['-sb', dir], { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`du -sb ${dir}: ${r.stderr.trim()}`);
  return Number(r.stdout.split('\t')[0]);
};
const MB = 1024 * 1024;

/** Removes the image and prunes, so the next pull starts from a cold store; returns bytes left in the data root. */
async function makeCold(e, ref) {
  await run(DOCKER, ['rmi', '-f', ref], { env: e.env, timeoutMs: 120_000 });
  await run(DOCKER, ['image', 'prune', '-af'], { env: e.env, timeoutMs: 120_000 });
  return duBytes(e.dataRoot);
}

async function timePull(e, ref) {
  const r = await run(DOCKER, ['pull', ref], { env: e.env, timeoutMs: 600_000 });
  if (r.code !== 0) return { ok: false, ms: r.ms, err: `exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ').slice(0, 400)}` };
  const id = await run(DOCKER, ['image', 'inspect', '--format', '{{.Id}}', ref], { env: e.env });
  if (id.code !== 0) return { ok: false, ms: r.ms, err: `pull exited 0 but the image is not there: ${id.stderr.trim()}` };
  return { ok: true, ms: r.ms, id: id.stdout.trim(), out: r.stdout };
}

/** Interleaved cold pulls, rotating the order each round; an engine whose first pull fails is not retried. */
async function measurePulls(engines, ref) {
  const res = Object.fromEntries(engines.map((e) => [e.key, { ms: [], fails: 0, err: '', leftMb: [], id: null }]));
  for (let i = 0; i < RUNS; i++) {
    for (let j = 0; j < engines.length; j++) {
      session.checkAbort();
      const e = engines[(i + j) % engines.length];
      const acc = res[e.key];
      if (acc.fails && !acc.ms.length) continue;
      const left = await makeCold(e, ref);
      acc.leftMb.push(left / MB);
      const r = await timePull(e, ref);
      log(`  ${e.name} pull ${i + 1}/${RUNS}: ${r.ok ? fmtMs(r.ms) : `FAILED — ${r.err}`}`);
      if (r.ok) {
        acc.ms.push(r.ms);
        acc.id = r.id;
      } else {
        acc.fails++;
        acc.err ||= r.err;
      }
    }
  }
  for (const e of engines) res[e.key].leftAfterMb = (await makeCold(e, ref)) / MB;
  return Object.fromEntries(Object.entries(res).map(([k, v]) => [k, { ...v, stats: stats(v.ms) }]));
}

function httpGet(url, headers = {}) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`GET ${url}: ${res.statusCode}`))));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** The gzip layer blobs exactly as the registry serves them (what a pull downloads). */
async function fetchLayerBlobs(reg, repo, tag, dir) {
  const m = JSON.parse(await httpGet(`${reg.url}/v2/${repo}/manifests/${tag}`, { Accept: 'application/vnd.docker.distribution.manifest.v2+json' }));
  await fs.mkdir(dir, { recursive: true });
  const files = [];
  for (const l of m.layers) {
    const f = path.join(dir, `${l.digest.slice(7)}.tar.gz`);
    await fs.writeFile(f, await httpGet(`${reg.url}/v2/${repo}/blobs/${l.digest}`));
    files.push(f);
  }
  return { files, bytes: m.layers.reduce((s, l) => s + l.size, 0) };
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('run as root (starts engines and a bridge)');
  const started = performance.now();
  await ensureBuilt();
  await fs.mkdir(WORK, { recursive: true });
  const base = makeTempBase(session, 'bpull-');
  await guardHostState(session);

  log('building the big image (cached in test/.work/fixtures)');
  const { buildBigImage } = await importTs('test/fixtures/big-image.ts');
  const bigTar = await buildBigImage(FIXTURES);
  const reg = await startRegistry({ auth: 'none', tmpDir: base });
  session.cleanups.push(['registry', () => reg.stop()]);
  log(`registry ${reg.host}; pushing ${path.basename(bigTar)} with skopeo`);
  const t0 = performance.now();
  await pushFixture(reg.host, bigTar, 'big:1');
  const pushMs = performance.now() - t0;
  const ref = `${reg.host}/big:1`;

  const berth = await startBerth(session, { bridge: BRIDGE, subnet: SUBNET });
  log(`Berth ${berth.version} up`);
  let dockerd = null;
  try {
    dockerd = await startDockerd(session, { withIptables: false, namespace: 'bbpull' });
    log(`dockerd ${dockerd.version} up (no networking)`);
  } catch (err) {
    problems.push(`dockerd could not be started: ${err.message}`);
  }
  log(`cold \`docker pull ${ref}\`: ${RUNS} run(s) per engine, interleaved`);
  const pulls = await measurePulls([berth, dockerd].filter(Boolean), ref);
  for (const [k, v] of Object.entries(pulls)) {
    if (v.fails) problems.push(`${k}: ${v.fails} \`docker pull\` failure(s)${v.ms.length ? '' : ' (not retried after the first)'} — ${v.err}`);
    const maxLeft = Math.max(...v.leftMb, v.leftAfterMb);
    if (maxLeft > 20) problems.push(`${k}: store not cold — ${maxLeft.toFixed(1)} MB left in the data root after \`rmi -f\` + \`image prune -af\``);
  }
  if (pulls.berth?.id && pulls.dockerd?.id && pulls.berth.id !== pulls.dockerd.id) problems.push(`image IDs differ: Berth ${pulls.berth.id}, dockerd ${pulls.dockerd.id}`);

  let unpack = null;
  let unpackGz = null;
  let tarMb = null;
  if (!opts['no-unpack']) {
    log('unpack throughput: Berth applyLayer vs tar -xf');
    const { layers, bytes } = await extractArchiveLayers(bigTar, path.join(base, 'archive'));
    tarMb = bytes / MB;
    unpack = await measureUnpack({ layers, tarBytes: bytes, workDir: path.join(base, 'unpack'), rounds: RUNS, checkAbort: session.checkAbort });
    const gz = await fetchLayerBlobs(reg, 'big', '1', path.join(base, 'blobs'));
    unpackGz = await measureUnpack({ layers: gz.files, tarBytes: bytes, workDir: path.join(base, 'unpack-gz'), rounds: RUNS, gzip: true, checkAbort: session.checkAbort });
    for (const e of [...unpack.errors, ...unpackGz.errors]) problems.push(`unpack: ${e}`);
  }
  session.checkAbort();
  await writeReport({ started, berth, dockerd, pulls, unpack, unpackGz, tarMb, pushMs, bigTar });
}

async function writeReport({ started, berth, dockerd, pulls, unpack, unpackGz, tarMb, pushMs, bigTar }) {
  const med = (k) => pulls[k]?.stats?.median ?? null;
  const cell = (k) => (pulls[k] ? (pulls[k].stats ? fmtMs(pulls[k].stats.median) : 'FAILED') : 'not run');
  const rows = [
    [`cold \`docker pull\` (${Math.round((await fs.stat(bigTar)).size / MB)} MB, 6 layers), median of ${RUNS}`, cell('berth'), cell('dockerd'), '—', ratio(med('berth'), med('dockerd'))],
    ['cold `docker pull`, min … max', pulls.berth?.stats ? `${fmtMs(pulls.berth.stats.min)} … ${fmtMs(pulls.berth.stats.max)}` : '—', pulls.dockerd?.stats ? `${fmtMs(pulls.dockerd.stats.min)} … ${fmtMs(pulls.dockerd.stats.max)}` : '—', '—', '—'],
  ];
  if (unpack) {
    rows.push([`unpack ${tarMb.toFixed(0)} MB of uncompressed layer tars, median`, fmtMbps(unpack.berth.mbps), '—', fmtMbps(unpack.tar.mbps), `${ratio(unpack.berth.mbps, unpack.tar.mbps)} of tar`]);
    rows.push(['unpack the same layers from the gzip blobs, median', fmtMbps(unpackGz.berth.mbps), '—', fmtMbps(unpackGz.tar.mbps), `${ratio(unpackGz.berth.mbps, unpackGz.tar.mbps)} of tar -xzf`]);
  }
  const table = markdownTable(['metric', 'Berth', 'dockerd', 'tar floor', 'ratio (Berth/dockerd time; Berth/tar MB/s)'], rows);
  const r = med('berth') != null && med('dockerd') != null ? med('berth') / med('dockerd') : null;
  const targets = markdownTable(['target', 'measured', 'status'], [
    ['Berth cold pull ≤ 1.0× dockerd', r == null ? (pulls.berth?.stats ? '—' : `Berth pull failed: ${pulls.berth?.err || 'not run'}`) : `${r.toFixed(2)}× (${fmtMs(med('berth'))} vs ${fmtMs(med('dockerd'))})`, mark(r == null ? (pulls.berth && !pulls.berth.stats ? false : null) : r <= 1.0)],
  ]);
  const detail = markdownTable(['engine', 'runs (ms)', 'failed', 'data root after prune'], Object.entries(pulls).map(([k, v]) => [k, v.ms.map((x) => x.toFixed(0)).join(', ') || '—', String(v.fails), `${v.leftAfterMb.toFixed(1)} MB`]));
  const env = [
    `- ${new Date().toISOString()}, ${os.cpus().length} CPUs, kernel ${os.release()}. Registry: docker-registry 2.8 on 127.0.0.1, filesystem storage; image pushed with skopeo (gzip layers) in ${fmtMs(pushMs)}.`,
    `- Berth ${berth.version} (bridge ${BRIDGE}); dockerd ${dockerd?.version ?? 'not running'} (--bridge=none --iptables=false, own data root and containerd namespace). Times are the wall clock of the whole \`docker pull\` (same CLI for both), after \`rmi -f\` + \`image prune -af\`.`,
    '- Unpack: Berth = applyLayer (agent/src/image/layer-unpack.ts) in this Node process; floor = `tar -xf`/`tar -xzf` per layer into empty dirs; MB/s of uncompressed tar bytes.',
    ...notes.map((n) => `- ${n}`),
  ];
  const written = await finishReport({
    sections: [
      '## Pull: Berth vs dockerd',
      '',
      ...table,
      '',
      '### Target',
      '',
      ...targets,
      '',
      '### Pull runs',
      '',
      ...detail,
      '',
    ],
    env,
    problems,
    startedMs: started,
    workDir: WORK,
    file: 'pull-results.md',
    logs: [[berth.logFile, 'pull-berth-engine.log'], [dockerd?.logFile, 'pull-dockerd.log']],
  });
  log(`wrote ${written}`);
}

await runMain(session, main, { links: [BRIDGE] });
