#!/usr/bin/env node
// UI benchmark: the dashboard in web mode (`berth ui`, the real CLI) against a real Berth engine in
// native mode, driven by headless Chromium (playwright-core). Measures Containers first paint with
// 200 and with 1 container, CLI `docker run -d` → row latency, terminal keystroke-to-echo latency,
// and the renderer bundle size. Berth only (no peer has this UI). Writes bench/.work/ui-results.md.
// Needs root (starts an engine and a bridge).
//   node bench/ui-bench.mjs [--quick]
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { createSession, guardHostState, makeTempBase, runMain } from './lib/cleanup.mjs';
import { stats } from './lib/measure.mjs';
import { startBerth } from './lib/peers.mjs';
import { DOCKER, log, must, waitExit } from './lib/proc.mjs';
import { fmtMs, markdownTable, finishReport } from './lib/report.mjs';
import { BUSYBOX_TAR, ROOT, WORK, ensureBuilt } from './lib/setup.mjs';

const BRIDGE = 'bbui0';
const SUBNET = '172.31.249.0/24';
const IMAGE = 'berth-test/busybox:latest';
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const VIEWPORT = { width: 1280, height: 800 };
const ROW_SEL = '[data-testid^="container-row-"]';
const MANY = 200;

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log('usage: node bench/ui-bench.mjs [--quick]   (--quick: 3 page loads, 5 run→row, 20 keystrokes)');
  process.exit(0);
}
const LOADS = opts.quick ? 3 : 5;
const ROW_RUNS = opts.quick ? 5 : 10;
const KEYS = opts.quick ? 20 : 50;

const session = createSession();
const { notes, problems } = session;
const docker = (e, args, timeoutMs = 60_000) => must(DOCKER, args, { env: e.env, timeoutMs });

/** Runs fn over items with at most `n` in flight. */
async function pool(items, n, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      session.checkAbort();
      await fn(items[next++]);
    }
  }));
}

/** `berth ui` (bin/berth.mjs → dist/host.mjs) on a free port, its own BERTH_HOME; resolves with the URL it prints. */
async function startWebUi(socket, base) {
  const home = path.join(base, 'berth-home');
  await fs.mkdir(home, { recursive: true });
  const logFile = path.join(base, 'ui.log');
  const proc = spawn(process.execPath, [path.join(ROOT, 'bin/berth.mjs'), 'ui', '--socket', socket, '--port', '0', '--mode', 'native'], {
    env: { ...process.env, BERTH_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (b) => (out += b));
  proc.stderr.on('data', (b) => (out += b));
  session.cleanups.push(['berth ui', async () => {
    await fs.writeFile(logFile, out).catch(() => undefined);
    await fs.copyFile(logFile, path.join(WORK, 'ui-web.log')).catch(() => undefined);
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    if (!(await waitExit(proc, 10_000))) {
      problems.push('`berth ui` did not exit within 10 s of SIGTERM; killed');
      proc.kill('SIGKILL');
      await waitExit(proc, 5_000);
    }
  }]);
  const t0 = Date.now();
  while (Date.now() - t0 < 30_000) {
    const m = /Berth web UI:\s+(http:\/\/\S+)/.exec(out);
    if (m) return { url: m[1], proc };
    if (proc.exitCode !== null) throw new Error(`berth ui exited (${proc.exitCode}):\n${out}`);
    await sleep(50);
  }
  throw new Error(`berth ui printed no URL within 30 s:\n${out}`);
}

/** Runs in the page before its scripts: resolves window.__rows when `n` container rows are in the DOM. */
function armRowWatch(n) {
  const sel = '[data-testid^="container-row-"]';
  window.__rows = new Promise((resolve) => {
    let done = false;
    const check = () => {
      if (done || document.querySelectorAll(sel).length < n) return;
      done = true;
      obs.disconnect();
      const dom = performance.now();
      requestAnimationFrame(() => resolve({ dom, frame: performance.now() }));
    };
    const obs = new MutationObserver(check);
    obs.observe(document, { childList: true, subtree: true });
  });
}

const withTimeout = (p, ms, what) => Promise.race([p, sleep(ms).then(() => { throw new Error(`${what}: timed out after ${ms} ms`); })]);

/** One cold page load (fresh context: empty HTTP cache and storage) of #/containers until `n` rows are in the DOM. */
async function timePageLoad(browser, url, n) {
  const ctx = await browser.newContext({ viewport: VIEWPORT });
  try {
    await ctx.addInitScript(armRowWatch, n);
    const page = await ctx.newPage();
    await page.goto(`${url}#/containers`, { waitUntil: 'commit' });
    const r = await withTimeout(page.evaluate(() => window.__rows), 60_000, `waiting for ${n} rows`);
    const extra = await page.evaluate((sel) => {
      const nav = performance.getEntriesByType('navigation')[0];
      return { rows: document.querySelectorAll(sel).length, dcl: nav?.domContentLoadedEventEnd ?? null };
    }, ROW_SEL);
    if (extra.rows !== n) throw new Error(`expected ${n} rows, the page shows ${extra.rows}`);
    return { ok: true, ms: r.dom, frame: r.frame, dcl: extra.dcl };
  } catch (err) {
    return { ok: false, err: err.message };
  } finally {
    await ctx.close().catch(() => undefined);
  }
}

async function measureLoads(browser, url, n) {
  const warm = await timePageLoad(browser, url, n); // server-side warm-up (file reads, first engine list), not counted
  if (!warm.ok) throw new Error(`page load with ${n} container(s) failed: ${warm.err}`);
  const res = [];
  for (let i = 0; i < LOADS; i++) {
    session.checkAbort();
    const r = await timePageLoad(browser, url, n);
    if (!r.ok) throw new Error(`page load with ${n} container(s) failed: ${r.err}`);
    log(`  ${n} container(s), load ${i + 1}/${LOADS}: ${r.ms.toFixed(0)} ms to the ${n}th row (next frame ${r.frame.toFixed(0)} ms, DOMContentLoaded ${r.dcl?.toFixed(0)} ms)`);
    res.push(r);
  }
  return { dom: stats(res.map((r) => r.ms)), frame: stats(res.map((r) => r.frame)), dcl: stats(res.map((r) => r.dcl).filter((x) => x != null)), runs: res.map((r) => r.ms) };
}

/** `docker run -d` from the CLI, then the wall-clock gap until its row (and its running state) is in the open page. */
async function measureRunToRow(e, page) {
  const appear = [];
  const running = [];
  for (let i = 0; i < ROW_RUNS + 1; i++) {
    session.checkAbort();
    const name = `ui-run-${i}`;
    // Watch in the page (wall clock at the DOM mutation), so the Playwright round trip is not counted.
    await page.evaluate((name) => {
      const sel = `[data-testid="container-row-${name}"]`;
      const now = () => performance.timeOrigin + performance.now();
      window.__runRow = new Promise((resolve) => {
        const r = { appear: null, running: null };
        const check = () => {
          const el = document.querySelector(sel);
          if (el && r.appear == null) r.appear = now();
          if (el && el.getAttribute('data-state') === 'running' && r.running == null) r.running = now();
          if (r.appear != null && r.running != null) {
            obs.disconnect();
            resolve(r);
          }
        };
        const obs = new MutationObserver(check);
        obs.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-state', 'data-testid'] });
        check();
      });
    }, name);
    await docker(e, ['run', '-d', '--name', name, IMAGE, 'sleep', '600']);
    const cliDone = performance.timeOrigin + performance.now();
    const r = await withTimeout(page.evaluate(() => window.__runRow), 15_000, `row of ${name}`);
    if (i === 0) continue; // warm-up
    appear.push(r.appear - cliDone);
    running.push(r.running - cliDone);
    log(`  run→row ${i}/${ROW_RUNS}: row ${(r.appear - cliDone).toFixed(0)} ms, running ${(r.running - cliDone).toFixed(0)} ms after the CLI returned`);
  }
  return { appear: stats(appear), running: stats(running), appearRuns: appear };
}

/** Containers → the busybox container → Terminal tab; times single keystrokes until their echo is in .xterm-rows. */
async function measureKeystrokes(e, page, name) {
  await docker(e, ['run', '-d', '--name', name, IMAGE, 'sleep', '3600']);
  await page.getByTestId('nav-containers').click();
  const row = page.getByTestId(`container-row-${name}`);
  await row.waitFor({ timeout: 10_000 });
  await row.getByRole('link', { name }).click();
  await page.getByRole('tab', { name: 'Terminal' }).click();
  await page.getByTestId('terminal-status').filter({ hasText: `Shell in ${name}` }).waitFor({ timeout: 15_000 });
  const rows = page.locator('.xterm-rows');
  const deadline = Date.now() + 15_000;
  while (!/[#$]\s*$/.test((await rows.innerText()).trimEnd() + ' ')) {
    if (Date.now() > deadline) throw new Error(`no shell prompt in the terminal: ${JSON.stringify(await rows.innerText())}`);
    await sleep(100);
  }
  await sleep(300); // let the prompt's cursor-position query (ESC[6n) and xterm's answer settle
  await page.locator('.xterm-helper-textarea').focus();
  // A shell comment as the line, so nothing runs; a fresh marker per line keeps the expected text
  // unique on screen, and the echo is matched at the end of the screen text (where the cursor is).
  let seg = 0;
  const startLine = async () => {
    const marker = `#u${seg++}:`;
    await page.keyboard.type(marker);
    await page.waitForFunction((m) => (document.querySelector('.xterm-rows')?.textContent ?? '').replace(/\s/g, '').endsWith(m), marker, { timeout: 10_000 });
    return marker;
  };
  let typed = await startLine();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz';
  const inPage = [];
  const outside = [];
  for (let i = 0; i < KEYS; i++) {
    session.checkAbort();
    const expect = typed + alphabet[i % alphabet.length];
    // keydown time (capture listener, before xterm sees it) → first DOM mutation whose text ends with the echo.
    await page.evaluate((expect) => {
      window.__echo = new Promise((resolve, reject) => {
        const rowsEl = document.querySelector('.xterm-rows');
        let t0 = null;
        document.addEventListener('keydown', () => (t0 ??= performance.now()), { capture: true, once: true });
        const obs = new MutationObserver(() => {
          if (t0 == null || !rowsEl.textContent.replace(/\s/g, '').endsWith(expect)) return;
          const t1 = performance.now();
          obs.disconnect();
          clearTimeout(timer);
          resolve({ t0, t1 });
        });
        obs.observe(rowsEl, { childList: true, subtree: true, characterData: true });
        const timer = setTimeout(() => {
          obs.disconnect();
          reject(new Error(`no echo of ${JSON.stringify(expect.slice(-1))} within 5 s: ${JSON.stringify(rowsEl.textContent.replace(/\s+/g, ' ').slice(-200))}`));
        }, 5_000);
      });
    }, expect);
    const n0 = performance.now();
    await page.keyboard.type(expect.slice(-1));
    const r = await page.evaluate(() => window.__echo);
    outside.push(performance.now() - n0);
    inPage.push(r.t1 - r.t0);
    typed = expect;
    if (i % 8 === 7 && i < KEYS - 1) {
      // Keep the line short: clear it (Ctrl-U) and start a new marker, untimed.
      await page.keyboard.press('Control+U');
      typed = await startLine();
    }
  }
  await page.keyboard.press('Control+U');
  return { inPage: stats(inPage), outside: stats(outside) };
}

/** dist/renderer: total bytes (with and without source maps), gzip of the entry JS/CSS, the largest files. */
async function bundleSizes() {
  const dir = path.join(ROOT, 'dist/renderer');
  const files = [];
  const walk = async (d) => {
    for (const ent of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, ent.name);
      if (ent.isDirectory()) await walk(p);
      else files.push({ rel: path.relative(dir, p), size: (await fs.stat(p)).size });
    }
  };
  await walk(dir);
  const gz = async (rel) => gzipSync(await fs.readFile(path.join(dir, rel)), { level: 9 }).length;
  const html = await fs.readFile(path.join(dir, 'index.html'), 'utf8');
  const entries = [...html.matchAll(/(?:src|href)="\.?\/?([^"]+\.(?:js|css))"/g)].map((m) => m[1]).filter((rel) => files.some((f) => f.rel === rel));
  const shipped = files.filter((f) => !f.rel.endsWith('.map'));
  const largest = [...shipped].sort((a, b) => b.size - a.size).slice(0, 6);
  for (const f of [...largest, ...files.filter((f) => entries.includes(f.rel))]) f.gzip ??= await gz(f.rel);
  const bootstrap = path.join(ROOT, 'dist/renderer-bootstrap/berth-web.js');
  return {
    total: files.reduce((s, f) => s + f.size, 0),
    shipped: shipped.reduce((s, f) => s + f.size, 0),
    shippedGzip: (await Promise.all(shipped.map((f) => gz(f.rel)))).reduce((s, x) => s + x, 0),
    count: files.length,
    entries: files.filter((f) => entries.includes(f.rel)),
    largest,
    bootstrap: existsSync(bootstrap) ? { size: (await fs.stat(bootstrap)).size, gzip: gzipSync(await fs.readFile(bootstrap), { level: 9 }).length } : null,
  };
}

const kb = (b) => (b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(2)} MB` : `${(b / 1024).toFixed(1)} KB`);
const fmtSigned = (v) => (v == null ? '—' : `${v < 0 ? '−' : ''}${Math.abs(v).toFixed(0)} ms`);
const msStat = (s) => (s ? fmtMs(s.median) : '—');

async function main() {
  if (process.getuid?.() !== 0) throw new Error('run as root (starts an engine and a bridge)');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found`);
  const started = performance.now();
  await ensureBuilt();
  if (!existsSync(path.join(ROOT, 'dist/renderer/index.html')) || !existsSync(path.join(ROOT, 'dist/renderer-bootstrap/berth-web.js'))) {
    log('dist/renderer missing: building');
    await must(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, timeoutMs: 300_000 });
  }
  await fs.mkdir(WORK, { recursive: true });
  const base = makeTempBase(session, 'bui-');
  await guardHostState(session);

  const sizes = await bundleSizes();
  const berth = await startBerth(session, { bridge: BRIDGE, subnet: SUBNET });
  log(`Berth ${berth.version} up`);
  await docker(berth, ['load', '-i', BUSYBOX_TAR], 120_000);
  const socket = path.join(berth.execRoot, 'docker.sock');
  const ui = await startWebUi(socket, base);
  log(`web UI at ${ui.url.replace(/token=[^&]+/, 'token=…')}`);

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  session.cleanups.push(['chromium', () => browser.close()]);
  const chromiumVersion = browser.version();

  // 1. First paint of Containers: 1 container, then 200 (created 4 at a time).
  await docker(berth, ['create', '--name', 'ui-c-000', IMAGE, 'true']);
  log(`page loads with 1 container: ${LOADS} (+1 warm-up)`);
  const one = await measureLoads(browser, ui.url, 1);
  const t0 = performance.now();
  await pool(Array.from({ length: MANY - 1 }, (_, i) => `ui-c-${String(i + 1).padStart(3, '0')}`), 4, (name) => docker(berth, ['create', '--name', name, IMAGE, 'true']));
  const createMs = performance.now() - t0;
  log(`created ${MANY - 1} more containers in ${fmtMs(createMs)}; page loads with ${MANY}: ${LOADS} (+1 warm-up)`);
  const many = await measureLoads(browser, ui.url, MANY);

  // 2. and 3. in one open page (the 200 created containers are still listed).
  const ctx = await browser.newContext({ viewport: VIEWPORT });
  const page = await ctx.newPage();
  await page.goto(`${ui.url}#/containers`);
  await page.locator(ROW_SEL).nth(MANY - 1).waitFor({ timeout: 30_000 });
  log(`CLI \`docker run -d\` → row: ${ROW_RUNS} (+1 warm-up)`);
  const runRow = await measureRunToRow(berth, page);
  log(`terminal keystroke → echo: ${KEYS} keys`);
  const keys = await measureKeystrokes(berth, page, 'ui-term');
  await ctx.close();

  await writeReport({ started, berth, sizes, one, many, createMs, runRow, keys, chromiumVersion });
}

async function writeReport({ started, berth, sizes, one, many, createMs, runRow, keys, chromiumVersion }) {
  const entry = sizes.entries.map((f) => `${f.rel} ${kb(f.size)} → ${kb(f.gzip)} gzip`).join('; ');
  const rows = [
    [`Containers first paint, ${MANY} containers (median of ${LOADS})`, msStat(many.dom), `navigation start → ${MANY}th \`container-row-*\` in the DOM; next frame ${msStat(many.frame)}, DOMContentLoaded ${msStat(many.dcl)}; min…max ${fmtMs(many.dom.min)}…${fmtMs(many.dom.max)}`],
    [`Containers first paint, 1 container (median of ${LOADS})`, msStat(one.dom), `reference; next frame ${msStat(one.frame)}, DOMContentLoaded ${msStat(one.dcl)}; min…max ${fmtMs(one.dom.min)}…${fmtMs(one.dom.max)}`],
    [`CLI \`docker run -d\` → row in the DOM (median of ${ROW_RUNS})`, fmtSigned(runRow.appear?.median), `from the CLI exiting to \`container-row-<name>\` in the DOM; negative = the row (from the create event) was there before the CLI exited; min…max ${fmtSigned(runRow.appear?.min)}…${fmtSigned(runRow.appear?.max)}; ${MANY}+ containers listed`],
    [`CLI \`docker run -d\` → row shows running (median of ${ROW_RUNS})`, fmtSigned(runRow.running?.median), `same, until the row's \`data-state\` is \`running\`; p90 ${fmtSigned(runRow.running?.p90)}`],
    [`terminal keystroke → echo, median (${KEYS} keys)`, msStat(keys.inPage), 'in-page: keydown → echoed character in `.xterm-rows` (busybox `sh` over a TTY exec)'],
    [`terminal keystroke → echo, p90 (${KEYS} keys)`, fmtMs(keys.inPage?.p90), `max ${fmtMs(keys.inPage?.max)}; seen from Playwright (CDP key event + round trip) median ${msStat(keys.outside)}, p90 ${fmtMs(keys.outside?.p90)}`],
    ['renderer bundle, dist/renderer total', kb(sizes.total), `${sizes.count} files incl. source maps; without maps ${kb(sizes.shipped)} (${kb(sizes.shippedGzip)} gzip)`],
    ['renderer entry JS + CSS, gzip', kb(sizes.entries.reduce((s, f) => s + f.gzip, 0)), entry],
    ['largest chunks', sizes.largest.slice(0, 4).map((f) => `${f.rel} ${kb(f.size)}`).join(', '), `gzip: ${sizes.largest.slice(0, 4).map((f) => kb(f.gzip)).join(', ')}`],
    ...(sizes.bootstrap ? [['web bootstrap (dist/renderer-bootstrap/berth-web.js)', kb(sizes.bootstrap.size), `${kb(sizes.bootstrap.gzip)} gzip; served by web mode only, not part of dist/renderer`]] : []),
  ];
  const table = markdownTable(['metric', 'value', 'note'], rows);
  const chunks = markdownTable(['file (dist/renderer, no maps)', 'bytes', 'gzip -9'], sizes.largest.map((f) => [f.rel, kb(f.size), kb(f.gzip)]));
  const env = [
    `- ${new Date().toISOString()}, ${os.cpus().length} CPUs, kernel ${os.release()}. Berth ${berth.version} native (bridge ${BRIDGE}); web mode via \`node bin/berth.mjs ui --mode native\`; Chromium ${chromiumVersion} headless, viewport ${VIEWPORT.width}×${VIEWPORT.height}.`,
    '- Peers: n/a — dockerd and podman have no dashboard, so this table is Berth only (no ratios, no targets).',
    `- First paint: each load in a fresh browser context (empty HTTP cache and storage) after one uncounted warm-up load; times are \`performance.now()\` in the page (0 = navigation start) when a MutationObserver first sees N rows. ${MANY - 1} of the ${MANY} containers were created with \`docker create\`, 4 at a time, in ${fmtMs(createMs)}.`,
    `- Run → row: wall clock of the bench process when \`docker run -d … sleep 600\` exits vs. the page's wall clock at the DOM mutation; one uncounted warm-up; row-in-DOM runs (ms): ${runRow.appearRuns.map((x) => x.toFixed(0)).join(', ')}. \`docker run -d\` creates, then starts, then exits, so the row usually arrives with the create event before the CLI is done.`,
    '- Keystrokes: `page.keyboard.type` of one letter into a `#…` comment line (nothing runs); the line is cleared with Ctrl-U every 8 keys (untimed). busybox ash asks for the cursor position (ESC[6n) at each prompt; xterm answers it, which is why the bench waits for the prompt to settle first.',
    '- Bundle: bytes on disk of `npm run build` output; gzip is zlib level 9 of each file.',
    ...notes.map((n) => `- ${n}`),
  ];
  const written = await finishReport({
    sections: [
      '## UI: dashboard in web mode (Berth only)',
      '',
      ...table,
      '',
      '### Largest renderer files',
      '',
      ...chunks,
      '',
    ],
    env,
    problems,
    startedMs: started,
    workDir: WORK,
    file: 'ui-results.md',
    logs: [[berth.logFile, 'ui-berth-engine.log']],
  });
  log(`wrote ${written}`);
}

await runMain(session, main, { links: [BRIDGE] });
