#!/usr/bin/env node
// Berth against its peers, measured side by side in one run on the same fixture image:
// Berth (native engine, dist/agent.mjs), a private dockerd 20.10 (with its own containerd), podman
// 4.3 and bare `runc run` as the floor. Prints a markdown table with ratios and writes it to
// bench/.work/results.md. Everything it starts is torn down in `finally`, including bridges and
// the iptables rules dockerd/netavark add. Needs root. Usage:
//   node bench/run-bench.mjs [--runs N] [--quick] [--no-podman]
// The pull benchmark is pull-bench.mjs; shared pieces live in bench/lib/.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createSession, guardHostState, makeTempBase, runMain } from './lib/cleanup.mjs';
import { timeInterleaved, stats } from './lib/measure.mjs';
import { BERTH_BRIDGE, BERTH_SUBNET, DOCKERD_BIP, PODMAN_SUBNET, setupPodman, setupRuncBundle, startBerth, startDockerd } from './lib/peers.mjs';
import { DOCKER, childrenOf, commOf, log, run, vmRssKb } from './lib/proc.mjs';
import { fmtMb, fmtMs, ratio, finishReport } from './lib/report.mjs';
import { BUSYBOX_TAR, WORK, ensureBuilt } from './lib/setup.mjs';

const IMAGE = 'berth-test/busybox:latest';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string' },
    quick: { type: 'boolean', default: false },
    'no-podman': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log('usage: node bench/run-bench.mjs [--runs N] [--quick] [--no-podman]');
  process.exit(0);
}
const RUNS = opts.runs ? Math.max(1, Number.parseInt(opts.runs, 10)) : opts.quick ? 5 : 20;
const WARMUP = opts.quick ? 1 : 2;
const PARALLEL = 20;
const PARALLEL_ROUNDS = opts.quick ? 1 : 3;
const PS_CONTAINERS = 100;

const session = createSession();
const { notes, problems } = session;
const versions = {};

async function parallelRun(e) {
  session.checkAbort();
  const t0 = performance.now();
  const runs = await Promise.all(
    Array.from({ length: PARALLEL }, () => run(DOCKER, ['run', '-d', '--pull=never', IMAGE, 'sleep', '60'], { env: e.env, timeoutMs: 120_000 })),
  );
  const runsDone = performance.now() - t0;
  const failed = runs.filter((r) => r.code !== 0);
  let count = 0;
  let allUp = null;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const r = await run(DOCKER, ['ps', '-q'], { env: e.env, timeoutMs: 30_000 });
    count = r.stdout.split('\n').filter(Boolean).length;
    if (count >= PARALLEL) {
      allUp = performance.now() - t0;
      break;
    }
    if (failed.length) break;
    await sleep(25);
  }
  const ids = runs.map((r) => r.stdout.trim()).filter(Boolean);
  const tr = performance.now();
  const rm = await run(DOCKER, ['rm', '-f', ...ids], { env: e.env, timeoutMs: 180_000 });
  const rmMs = performance.now() - tr;
  const leftover = (await run(DOCKER, ['ps', '-aq'], { env: e.env })).stdout.split('\n').filter(Boolean);
  if (leftover.length) await run(DOCKER, ['rm', '-f', ...leftover], { env: e.env, timeoutMs: 180_000 });
  return {
    ok: failed.length === 0 && allUp != null,
    ms: allUp,
    runsDone,
    rmMs,
    rmOk: rm.code === 0,
    failed: failed.length,
    running: count,
    err: failed[0] ? (failed[0].stderr || failed[0].stdout).trim().slice(0, 300) : allUp == null ? `only ${count}/${PARALLEL} running` : '',
  };
}

async function createMany(e, n, conc = 4) {
  const t0 = performance.now();
  let i = 0;
  let fails = 0;
  let err = '';
  const worker = async () => {
    while (i < n) {
      session.checkAbort();
      i++;
      const r = await run(DOCKER, ['create', '--pull=never', IMAGE, 'true'], { env: e.env });
      if (r.code !== 0) {
        fails++;
        err ||= r.stderr.trim().slice(0, 300);
      }
    }
  };
  await Promise.all(Array.from({ length: conc }, worker));
  return { ms: performance.now() - t0, fails, err };
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('run as root (starts engines, bridges and runc)');
  const started = performance.now();
  await ensureBuilt();
  await fs.mkdir(WORK, { recursive: true });
  makeTempBase(session, 'bbench-');
  // snapshot host state that peers change
  await guardHostState(session);

  versions.cli = (await run(DOCKER, ['--version'])).stdout.trim();
  versions.kernel = os.release();
  versions.runc = (await run('runc', ['--version'])).stdout.split('\n')[0];
  versions.podman = (await run('podman', ['--version'])).stdout.trim();

  // --- engines
  log('starting Berth');
  const berth = await startBerth(session);
  log(`Berth ${berth.version} up in ${fmtMs(berth.startMs)}`);
  let dockerd = null;
  try {
    log('starting dockerd (default bridge, iptables on)');
    dockerd = await startDockerd(session, { withIptables: true });
    notes.push(`dockerd: default bridge networking (docker0, --bip ${DOCKERD_BIP}, iptables on)`);
  } catch (err) {
    log(`dockerd with bridge/iptables failed: ${err.message.split('\n')[0]}; retrying with --iptables=false --bridge=none`);
    notes.push(`dockerd: bridge networking failed (${err.message.split('\n')[0]}); measured with --iptables=false --bridge=none, so its containers get no network`);
    try {
      dockerd = await startDockerd(session, { withIptables: false });
    } catch (err2) {
      problems.push(`dockerd could not be started: ${err2.message}`);
      dockerd = null;
    }
  }
  if (dockerd) log(`dockerd ${dockerd.version} up in ${fmtMs(dockerd.startMs)}`);
  versions.dockerd = dockerd?.version;
  versions.berth = berth.version;

  // --- load the fixture
  for (const e of [berth, dockerd].filter(Boolean)) {
    const r = await run(DOCKER, ['load', '-i', BUSYBOX_TAR], { env: e.env, timeoutMs: 120_000 });
    e.loadMs = r.ms;
    if (r.code !== 0) throw new Error(`${e.name}: docker load failed: ${r.stderr.trim()}`);
  }
  let podman = null;
  if (opts['no-podman']) notes.push('podman: skipped (--no-podman)');
  else {
    try {
      podman = await setupPodman(session);
      const info = await podman.podman(['info', '--format', '{{.Host.NetworkBackend}}'], { timeoutMs: 60_000 });
      if (info.code !== 0) throw new Error(`podman info: ${(info.stderr || info.stdout).trim()}`);
      notes.push(`podman: rootful, runc, cgroupfs, own --root/--runroot/--tmpdir, network backend ${info.stdout.trim()} (default network ${PODMAN_SUBNET})`);
      const l = await podman.podman(['load', '-i', BUSYBOX_TAR], { timeoutMs: 120_000 });
      if (l.code !== 0) throw new Error(`podman load: ${(l.stderr || l.stdout).trim()}`);
      const t = await podman.podman(['run', '--rm', '--pull=never', IMAGE, 'true'], { timeoutMs: 60_000 });
      if (t.code !== 0) throw new Error(`podman run: ${(t.stderr || t.stdout).trim()}`);
    } catch (err) {
      notes.push(`podman: not measured — ${err.message.slice(0, 400)}`);
      podman = null;
    }
  }
  const runc = await setupRuncBundle(session);
  {
    const [f, a] = runc.cmd();
    const r = await run(f, a);
    if (r.code !== 0) throw new Error(`runc floor does not run: ${r.stderr.trim()}`);
  }

  // --- what network each engine gives a container (so the comparison is like for like)
  const netProbe = ['run', '--rm', '--pull=never', IMAGE, 'sh', '-c', 'ip -4 -o addr show eth0 2>/dev/null | awk \'{print $4}\'; true'];
  for (const [name, r] of [
    ['Berth', await run(DOCKER, netProbe, { env: berth.env })],
    ...(dockerd ? [['dockerd', await run(DOCKER, netProbe, { env: dockerd.env })]] : []),
    ...(podman ? [['podman', await run('podman', [...podman.g, ...netProbe], { env: podman.env })]] : []),
  ]) {
    notes.push(`${name} container eth0: ${r.code === 0 ? r.stdout.trim() || 'none' : `probe failed: ${r.stderr.trim().slice(0, 200)}`}`);
  }

  // --- idle RSS, after start-up and fixture load
  await sleep(2000);
  const rss = { berth: vmRssKb(berth.pid) };
  const berthKids = childrenOf(berth.pid);
  if (berthKids.length) notes.push(`Berth engine has ${berthKids.length} child process(es) at idle: ${berthKids.map((p) => `${commOf(p)}(${fmtMb(vmRssKb(p))})`).join(', ')}`);
  if (dockerd) {
    rss.dockerd = vmRssKb(dockerd.pid);
    const ctrd = childrenOf(dockerd.pid).filter((p) => commOf(p) === 'containerd');
    rss.containerd = ctrd.length ? ctrd.reduce((s, p) => s + (vmRssKb(p) ?? 0), 0) : null;
  }
  log(`idle RSS: Berth ${fmtMb(rss.berth)}, dockerd ${fmtMb(rss.dockerd)} + containerd ${fmtMb(rss.containerd)}`);

  // --- docker run --rm true
  log(`docker run --rm … true: ${RUNS} runs each (+${WARMUP} warm-up), interleaved`);
  const parts = [
    { key: 'berth', env: berth.env, cmd: () => [DOCKER, ['run', '--rm', '--pull=never', IMAGE, 'true']] },
    ...(dockerd ? [{ key: 'dockerd', env: dockerd.env, cmd: () => [DOCKER, ['run', '--rm', '--pull=never', IMAGE, 'true']] }] : []),
    ...(podman ? [{ key: 'podman', env: podman.env, cmd: () => ['podman', [...podman.g, 'run', '--rm', '--pull=never', IMAGE, 'true']] }] : []),
    { key: 'runc', cmd: runc.cmd },
  ];
  const runRm = await timeInterleaved(parts, RUNS, WARMUP, session.checkAbort);
  for (const [k, v] of Object.entries(runRm)) {
    log(`  ${k}: median ${fmtMs(v.stats?.median)} (p10 ${fmtMs(v.stats?.p10)}, p90 ${fmtMs(v.stats?.p90)})${v.fails ? `, ${v.fails} failed: ${v.err}` : ''}`);
    if (v.fails) problems.push(`${k}: ${v.fails}/${RUNS} \`run --rm true\` failed — ${v.err}`);
  }
  // leftovers after --rm
  for (const e of [berth, dockerd].filter(Boolean)) {
    const left = (await run(DOCKER, ['ps', '-aq'], { env: e.env })).stdout.split('\n').filter(Boolean);
    if (left.length) problems.push(`${e.name}: ${left.length} container(s) still listed after ${RUNS + WARMUP} \`docker run --rm\``);
  }

  // --- API round trip baseline: `docker version` (CLI start-up + one request)
  const ver = await timeInterleaved(
    [berth, dockerd].filter(Boolean).map((e) => ({ key: e.key, env: e.env, cmd: () => [DOCKER, ['version', '--format', '{{.Server.Version}}']] })),
    RUNS,
    WARMUP,
    session.checkAbort,
  );

  // --- docker ps -a with 100 containers
  const ps = {};
  const creates = {};
  for (const e of [berth, dockerd].filter(Boolean)) {
    log(`${e.name}: docker create ×${PS_CONTAINERS}`);
    creates[e.key] = await createMany(e, PS_CONTAINERS);
    if (creates[e.key].fails) problems.push(`${e.name}: ${creates[e.key].fails}/${PS_CONTAINERS} \`docker create\` failed — ${creates[e.key].err}`);
    const n = (await run(DOCKER, ['ps', '-aq'], { env: e.env })).stdout.split('\n').filter(Boolean).length;
    if (n !== PS_CONTAINERS) problems.push(`${e.name}: \`docker ps -aq\` lists ${n} containers after creating ${PS_CONTAINERS}`);
  }
  log(`docker ps -a: ${RUNS} runs each, interleaved`);
  const psParts = [berth, dockerd].filter(Boolean).map((e) => ({
    key: e.key,
    env: e.env,
    cmd: () => [DOCKER, ['ps', '-a']],
    check: (r) => r.stdout.trim().split('\n').length === PS_CONTAINERS + 1,
  }));
  Object.assign(ps, await timeInterleaved(psParts, RUNS, WARMUP));
  for (const [k, v] of Object.entries(ps)) {
    log(`  ${k}: median ${fmtMs(v.stats?.median)}${v.fails ? `, ${v.fails} failed: ${v.err}` : ''}`);
    if (v.fails) problems.push(`${k}: ${v.fails}/${RUNS} \`docker ps -a\` failed or listed the wrong number of rows — ${v.err}`);
  }
  const rmAll = {};
  for (const e of [berth, dockerd].filter(Boolean)) {
    const ids = (await run(DOCKER, ['ps', '-aq'], { env: e.env })).stdout.split('\n').filter(Boolean);
    const r = await run(DOCKER, ['rm', ...ids], { env: e.env, timeoutMs: 180_000 });
    rmAll[e.key] = r.ms;
    if (r.code !== 0) problems.push(`${e.name}: \`docker rm\` of ${ids.length} created containers failed — ${r.stderr.trim().slice(0, 300)}`);
  }

  // --- 20 parallel docker run -d
  const par = { berth: [], dockerd: [] };
  for (let round = 0; round < PARALLEL_ROUNDS; round++) {
    for (const e of [berth, dockerd].filter(Boolean)) {
      session.checkAbort();
      log(`${e.name}: ${PARALLEL} parallel \`docker run -d … sleep 60\` (round ${round + 1}/${PARALLEL_ROUNDS})`);
      const r = await parallelRun(e);
      par[e.key].push(r);
      log(`  ${r.ok ? `all running after ${fmtMs(r.ms)}` : `FAILED: ${r.failed} failed, ${r.running} running — ${r.err}`}; rm -f took ${fmtMs(r.rmMs)}`);
      if (!r.ok) problems.push(`${e.name}: parallel run round ${round + 1}: ${r.failed}/${PARALLEL} \`docker run -d\` failed, ${r.running} running — ${r.err}`);
      if (!r.rmOk) problems.push(`${e.name}: \`docker rm -f\` of the ${PARALLEL} parallel containers failed`);
    }
  }
  const parStats = Object.fromEntries(Object.entries(par).map(([k, rs]) => [k, rs.length && rs.every((r) => r.ok) ? stats(rs.map((r) => r.ms)) : null]));
  const parRm = Object.fromEntries(Object.entries(par).map(([k, rs]) => [k, rs.length ? stats(rs.map((r) => r.rmMs)) : null]));

  // --- RSS after the whole run (all containers removed): a leak shows up here
  await sleep(1000);
  const rssAfter = { berth: vmRssKb(berth.pid), dockerd: dockerd ? vmRssKb(dockerd.pid) : null };
  if (dockerd) {
    const ctrd = childrenOf(dockerd.pid).filter((p) => commOf(p) === 'containerd');
    rssAfter.containerd = ctrd.length ? ctrd.reduce((s, p) => s + (vmRssKb(p) ?? 0), 0) : null;
  }

  // Berth's log: count warnings/errors for the report
  const berthLog = await fs.readFile(berth.logFile, 'utf8').catch(() => '');
  const bad = berthLog.split('\n').filter((l) => /"level":"(warn|error)"|\b(WARN|ERROR|Error:|Unhandled)\b/.test(l));
  if (bad.length) notes.push(`Berth engine log has ${bad.length} warn/error line(s); first: ${bad[0].slice(0, 300)}`);

  session.checkAbort();
  await writeReport({ started, berth, dockerd, podman, rr: runRm, rss, rssAfter, ps, creates, rmAll, parStats, parRm, ver });
}

async function writeReport({ started, berth, dockerd, podman, rr, rss, rssAfter, ps, creates, rmAll, parStats, parRm, ver }) {
  const med = (v) => v?.stats?.median ?? null;
  const rows = [
    ['`run --rm … true`, median', fmtMs(med(rr.berth)), fmtMs(med(rr.dockerd)), podman ? fmtMs(med(rr.podman)) : 'n/a', fmtMs(med(rr.runc)), ratio(med(rr.berth), med(rr.dockerd))],
    ['`run --rm … true`, p90', fmtMs(rr.berth?.stats?.p90), fmtMs(rr.dockerd?.stats?.p90), podman ? fmtMs(rr.podman?.stats?.p90) : 'n/a', fmtMs(rr.runc?.stats?.p90), ratio(rr.berth?.stats?.p90, rr.dockerd?.stats?.p90)],
    ['engine idle RSS', fmtMb(rss.berth), dockerd ? `${fmtMb(rss.dockerd)} (+ containerd ${fmtMb(rss.containerd)} = ${fmtMb((rss.dockerd ?? 0) + (rss.containerd ?? 0))})` : '—', 'n/a (no daemon)', 'n/a', ratio(rss.berth, (rss.dockerd ?? 0) + (rss.containerd ?? 0))],
    ['engine RSS after the run', fmtMb(rssAfter.berth), dockerd ? `${fmtMb(rssAfter.dockerd)} (+ containerd ${fmtMb(rssAfter.containerd)})` : '—', 'n/a', 'n/a', ratio(rssAfter.berth, (rssAfter.dockerd ?? 0) + (rssAfter.containerd ?? 0))],
    [`\`ps -a\`, ${PS_CONTAINERS} containers, median`, fmtMs(med(ps.berth)), fmtMs(med(ps.dockerd)), 'n/a', 'n/a', ratio(med(ps.berth), med(ps.dockerd))],
    [`\`create\` ×${PS_CONTAINERS} (4 at a time), total`, fmtMs(creates.berth?.ms), fmtMs(creates.dockerd?.ms), 'n/a', 'n/a', ratio(creates.berth?.ms, creates.dockerd?.ms)],
    [`\`rm\` of ${PS_CONTAINERS} created containers`, fmtMs(rmAll.berth), fmtMs(rmAll.dockerd), 'n/a', 'n/a', ratio(rmAll.berth, rmAll.dockerd)],
    [`${PARALLEL}× parallel \`run -d … sleep 60\` → all running, median of ${PARALLEL_ROUNDS}`, parStats.berth ? fmtMs(parStats.berth.median) : 'FAILED', dockerd ? (parStats.dockerd ? fmtMs(parStats.dockerd.median) : 'FAILED') : '—', 'n/a', 'n/a', ratio(parStats.berth?.median, parStats.dockerd?.median)],
    [`\`rm -f\` of those ${PARALLEL}, median`, fmtMs(parRm.berth?.median), fmtMs(parRm.dockerd?.median), 'n/a', 'n/a', ratio(parRm.berth?.median, parRm.dockerd?.median)],
    ['`docker version` (CLI + 1 API call), median', fmtMs(med(ver.berth)), fmtMs(med(ver.dockerd)), 'n/a', 'n/a', ratio(med(ver.berth), med(ver.dockerd))],
    ['engine start-up (to first API answer)', fmtMs(berth.startMs), fmtMs(dockerd?.startMs), 'n/a', 'n/a', ratio(berth.startMs, dockerd?.startMs)],
    ['`docker load` busybox.tar', fmtMs(berth.loadMs), fmtMs(dockerd?.loadMs), 'n/a', 'n/a', ratio(berth.loadMs, dockerd?.loadMs)],
  ];
  const table = ['| metric | Berth | dockerd | podman | runc floor | Berth/dockerd |', '|---|---|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)];

  const mark = (ok) => (ok == null ? 'n/a' : ok ? '**met**' : '**missed**');
  const runRatio = med(rr.berth) != null && med(rr.dockerd) != null ? med(rr.berth) / med(rr.dockerd) : null;
  const targets = [
    '| target | measured | status |',
    '|---|---|---|',
    `| Berth \`docker run --rm\` median ≤ 0.8× dockerd's | ${runRatio == null ? '—' : `${runRatio.toFixed(2)}× (${fmtMs(med(rr.berth))} vs ${fmtMs(med(rr.dockerd))})`} | ${mark(runRatio == null ? null : runRatio <= 0.8)} |`,
    `| Berth idle RSS ≤ 80 MB | ${fmtMb(rss.berth)} | ${mark(rss.berth == null ? null : rss.berth <= 80 * 1024)} |`,
    `| Berth \`docker ps -a\` with ${PS_CONTAINERS} containers ≤ 100 ms | ${fmtMs(med(ps.berth))} | ${mark(med(ps.berth) == null ? null : med(ps.berth) <= 100)} |`,
  ];
  const detail = ['| `run --rm … true` | n | min | p10 | median | p90 | max | failed |', '|---|---|---|---|---|---|---|---|'];
  for (const [k, v] of Object.entries(rr)) {
    const s = v.stats;
    detail.push(`| ${k} | ${s?.n ?? 0} | ${fmtMs(s?.min)} | ${fmtMs(s?.p10)} | ${fmtMs(s?.median)} | ${fmtMs(s?.p90)} | ${fmtMs(s?.max)} | ${v.fails} |`);
  }
  for (const [k, v] of Object.entries(ps)) {
    const s = v.stats;
    detail.push(`| \`ps -a\` ${k} | ${s?.n ?? 0} | ${fmtMs(s?.min)} | ${fmtMs(s?.p10)} | ${fmtMs(s?.median)} | ${fmtMs(s?.p90)} | ${fmtMs(s?.max)} | ${v.fails} |`);
  }
  const env = [
    `- ${new Date().toISOString()}, ${os.cpus().length} CPUs, kernel ${versions.kernel}; ${RUNS} timed runs per latency metric (+${WARMUP} warm-up), interleaved across engines; parallel test ${PARALLEL_ROUNDS} round(s). Times are wall clock of the whole client command (CLI start-up included, the same CLI for Berth and dockerd).`,
    `- Berth ${versions.berth} (dist/agent.mjs, bridge ${BERTH_BRIDGE} ${BERTH_SUBNET}); dockerd ${versions.dockerd ?? 'not running'}; ${versions.podman}; ${versions.runc}; ${versions.cli}.`,
    ...notes.map((n) => `- ${n}`),
  ];
  const written = await finishReport({
    sections: [
      '## Berth vs peers',
      '',
      ...table,
      '',
      '### Targets',
      '',
      ...targets,
      '',
      '### Latency detail',
      '',
      ...detail,
      '',
    ],
    env,
    problems,
    startedMs: started,
    workDir: WORK,
    file: 'results.md',
    logs: [[berth.logFile, 'berth-engine.log'], [dockerd?.logFile, 'dockerd.log']],
  });
  log(`wrote ${written}`);
}

await runMain(session, main, { links: [BERTH_BRIDGE, 'docker0'] });
