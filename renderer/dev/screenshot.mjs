// DEV ONLY: serve dist/renderer with the fake API as /berth-web.js and screenshot each view.
// Usage: npm run build:renderer && node renderer/dev/screenshot.mjs [outDir] [light|dark]
import { build } from 'esbuild';
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';

const out = process.argv[2] ?? '/tmp/berth-shots';
const scheme = process.argv[3] ?? 'light';
const root = path.resolve('dist/renderer');
const fake = (await build({ entryPoints: ['renderer/dev/fake-berth.ts'], bundle: true, write: false, format: 'iife', platform: 'browser' })).outputFiles[0].text;
const types = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html' };
const server = http.createServer(async (req, res) => {
  const p = new URL(req.url, 'http://x').pathname;
  if (p === '/berth-web.js') return res.end(fake);
  const file = path.join(root, p === '/' ? 'index.html' : p);
  try {
    const body = await fs.readFile(file);
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
}).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: scheme });
page.on('console', (m) => { if (m.type() === 'error') console.log('console:', m.text()); });
page.on('pageerror', (e) => console.log('pageerror:', e.message));
await fs.mkdir(out, { recursive: true });
const shots = [['containers', '#/containers'], ['logs', `#/containers/${'web'.padEnd(64, 'a1b2c3')}/logs`], ['stats', `#/containers/${'web'.padEnd(64, 'a1b2c3')}/stats`],
  ['terminal', `#/containers/${'web'.padEnd(64, 'a1b2c3')}/terminal`], ['inspect', `#/containers/${'web'.padEnd(64, 'a1b2c3')}/inspect`],
  ['images', '#/images'], ['volumes', '#/volumes'], ['settings', '#/settings'], ['troubleshoot', '#/troubleshoot']];
for (const [name, hash] of shots) {
  await page.goto(base + hash);
  await page.waitForTimeout(900);
  await page.screenshot({ path: `${out}/${scheme}-${name}.png` });
}
await page.goto(base + '#/images');
await page.waitForTimeout(500);
await page.getByRole('button', { name: 'Run berth-fixture/httpd:latest' }).click();
await page.getByRole('button', { name: 'Add port' }).click();
await page.screenshot({ path: `${out}/${scheme}-run-dialog.png` });
await page.keyboard.press('Escape');
await page.getByRole('button', { name: 'Layers of busybox:latest' }).click();
await page.waitForTimeout(300);
await page.screenshot({ path: `${out}/${scheme}-layers.png` });
await browser.close();
server.close();
console.log(`screenshots in ${out}`);
