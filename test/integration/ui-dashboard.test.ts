// The dashboard in real Chromium (web mode) against the REAL engine in native mode: no stubbed
// API. Each main view is screenshotted into test/.work/screenshots for a person to look at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createBerthService, type BerthService } from '../../host/src/api/berth-service.ts';
import { SettingsStore } from '../../host/src/settings/settings-store.ts';
import { hostLimits } from '../../host/src/settings/host-limits.ts';
import { startUiServer, type UiServer } from '../../host/src/ui-server/ui-server.ts';
import { ROOT, startEngine, type EngineHandle } from '../harness/engine-process.ts';
import { BUSYBOX, HTTPD, fixture, loadFixtures } from '../harness/fixtures.ts';
import { pushFixture, startRegistry, type RegistryHandle } from '../harness/registry.ts';

const SHOTS = path.join(ROOT, 'test/.work/screenshots');
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let e: EngineHandle;
let home: string;
let settings: SettingsStore;
let service: BerthService;
let ui: UiServer;
let browser: Browser;
let page: Page;
let registry: RegistryHandle;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

beforeAll(async () => {
  await fs.mkdir(SHOTS, { recursive: true });
  e = await startEngine('ui-browser');
  await loadFixtures(e, ['busybox.tar', 'httpd.tar']);
  home = mkdtempSync(path.join(os.tmpdir(), 'berth-home-'));
  settings = await SettingsStore.open(path.join(home, 'settings.json'), hostLimits(home));
  service = createBerthService({ socket: e.socket, settings, mode: 'vm' });
  ui = await startUiServer({ service, rendererDir: path.join(ROOT, 'dist/renderer'), bootstrapFile: path.join(ROOT, 'dist/renderer-bootstrap/berth-web.js') });
  registry = await startRegistry({ auth: 'none' });
  await pushFixture(registry.host, fixture('layers.tar'), 'ui/pulled:1');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`http://127.0.0.1:${ui.port}/?token=${ui.token}#/containers`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  service?.dispose();
  await ui?.close();
  await registry?.stop();
  await e?.stop();
  if (home) await fs.rm(home, { recursive: true, force: true });
});

const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
const nav = (view: string) => page.getByTestId(`nav-${view}`).click();

describe('dashboard in Chromium against the real engine', () => {
  it('refuses requests without the token', async () => {
    expect((await fetch(`http://127.0.0.1:${ui.port}/`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${ui.port}/?token=wrong`)).status).toBe(401);
  });

  it('shows a container started from the CLI within a second', async () => {
    await page.getByTestId('nav-containers').waitFor();
    const t0 = Date.now();
    await e.docker(['run', '-d', '--name', 'cli-made', BUSYBOX, 'sh', '-c', 'while :; do echo tick; sleep 0.5; done']);
    const cliDone = Date.now();
    await page.getByTestId('container-row-cli-made').waitFor({ timeout: 5000 });
    const ms = Date.now() - cliDone;
    expect(ms, `row appeared ${ms} ms after the CLI returned (${Date.now() - t0} ms after it started)`).toBeLessThan(1000);
    await expect.poll(async () => page.getByTestId('container-row-cli-made').getAttribute('data-state')).toBe('running');
    await shot('containers');
  });

  it('runs a container with a published port from the Run dialog', async () => {
    const port = await freePort();
    await nav('images');
    await page.getByTestId(`image-row-${HTTPD}`).waitFor();
    await shot('images');
    await page.getByRole('button', { name: `Run ${HTTPD}` }).click();
    const dialog = page.getByTestId('run-dialog');
    await dialog.getByLabel('Container name').fill('ui-web');
    await dialog.getByRole('button', { name: 'Add port' }).click();
    await dialog.getByLabel('Host port 1').fill(String(port));
    await dialog.getByLabel('Container port 1').fill('80');
    await dialog.getByRole('button', { name: /^Run$/ }).click();
    await nav('containers');
    await page.getByTestId('container-row-ui-web').waitFor();
    await expect.poll(async () => (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text()).catch(() => '')), { timeout: 10_000 }).toBe('hello from berth\n');
    const link = page.getByTestId('container-row-ui-web').locator('a.port-link');
    expect(await link.getAttribute('href')).toBe(`http://localhost:${port}`);
  });

  it('opens a terminal, echoes, resizes, and keeps the session across navigation', async () => {
    await page.getByRole('button', { name: 'Terminal cli-made' }).click();
    const term = page.getByTestId('terminal');
    await term.waitFor();
    await page.locator('.xterm-helper-textarea').focus();
    await expect.poll(async () => page.locator('.xterm-rows').innerText(), { timeout: 15_000 }).toMatch(/[#$] ?/);
    await page.keyboard.type('echo hi-from-xterm\n');
    await expect.poll(async () => page.locator('.xterm-rows').innerText(), { timeout: 10_000 }).toMatch(/hi-from-xterm\s[\s\S]*hi-from-xterm/);
    await page.keyboard.type('stty size\n');
    await expect.poll(async () => page.locator('.xterm-rows').innerText()).toMatch(/\n\d+ \d+/);
    const before = /\n(\d+ \d+)\s*\n/.exec(await page.locator('.xterm-rows').innerText())?.[1];
    await page.setViewportSize({ width: 1000, height: 600 });
    await page.waitForTimeout(500);
    await page.keyboard.type('clear; stty size\n');
    await expect.poll(async () => /(\d+ \d+)/.exec(await page.locator('.xterm-rows').innerText())?.[1], { timeout: 10_000 }).not.toBe(before);
    await shot('terminal');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.keyboard.type('echo still-here\n');
    await nav('images');
    await nav('containers');
    await page.getByRole('button', { name: 'Terminal cli-made' }).click();
    await expect.poll(async () => page.locator('.xterm-rows').innerText(), { timeout: 10_000 }).toContain('still-here');
  });

  it('reads logs with stdout and stderr told apart, and watches stats move', async () => {
    await e.docker(['run', '-d', '--name', 'talky', BUSYBOX, 'sh', '-c', 'echo to-out; echo to-err >&2; while :; do :; done']);
    await nav('containers');
    await page.getByTestId('container-row-talky').waitFor();
    await page.getByTestId('container-row-talky').getByRole('link', { name: 'talky' }).click();
    await page.getByRole('tab', { name: 'Logs' }).click();
    await expect.poll(async () => page.getByTestId('logs').innerText(), { timeout: 10_000 }).toContain('to-err');
    expect(await page.getByTestId('logs').locator('[data-stream="stderr"]').first().innerText()).toContain('to-err');
    expect(await page.getByTestId('logs').locator('[data-stream="stdout"]').first().innerText()).toContain('to-out');
    await shot('logs');
    await page.getByRole('tab', { name: 'Stats' }).click();
    const cpu = page.getByTestId('stats-cpu');
    await cpu.waitFor();
    const first = await cpu.innerText();
    await expect.poll(async () => cpu.innerText(), { timeout: 10_000 }).not.toBe(first);
    await shot('stats');
    await page.getByRole('tab', { name: 'Inspect' }).click();
    await shot('inspect');
  });

  it('pulls an image from a local registry with per-layer progress', async () => {
    await nav('images');
    await page.getByRole('button', { name: 'Pull', exact: true }).click();
    const dialog = page.getByTestId('pull-dialog');
    await dialog.getByLabel('Image reference').fill(`${registry.host}/ui/pulled:1`);
    await dialog.getByRole('button', { name: 'Pull', exact: true }).click();
    await expect.poll(async () => dialog.getByTestId('pull-progress').getAttribute('data-state'), { timeout: 20_000 }).toBe('done');
    expect(await dialog.locator('progress[aria-label^="Layer "]').count()).toBeGreaterThan(0);
    await shot('pull');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.getByTestId(`image-row-${registry.host}/ui/pulled:1`).waitFor({ timeout: 10_000 });
  });

  it('stops and deletes containers', async () => {
    await nav('containers');
    await page.getByRole('button', { name: 'Stop ui-web' }).click();
    await expect.poll(async () => page.getByTestId('container-row-ui-web').getAttribute('data-state'), { timeout: 15_000 }).toBe('exited');
    await page.getByRole('button', { name: 'Delete ui-web' }).click();
    await page.getByTestId('confirm-button').click();
    await page.getByTestId('container-row-ui-web').waitFor({ state: 'detached', timeout: 10_000 });
    expect((await e.docker(['ps', '-a', '--format', '{{.Names}}'])).stdout).not.toContain('ui-web');
  });

  it('moves the resource sliders and the settings persist', async () => {
    await nav('volumes');
    await shot('volumes');
    await nav('settings');
    const cpus = page.getByTestId('cpus');
    await cpus.waitFor();
    await shot('settings');
    await cpus.fill('1');
    await page.getByTestId('memory').fill('1024');
    await page.getByTestId('settings-apply').click();
    const confirm = page.getByTestId('confirm-button');
    if (await confirm.isVisible().catch(() => false)) await confirm.click();
    await expect.poll(async () => JSON.parse(await fs.readFile(path.join(home, 'settings.json'), 'utf8').catch(() => '{}')).cpus, { timeout: 10_000 }).toBe(1);
    await page.reload();
    await nav('settings');
    await expect.poll(async () => page.getByTestId('cpus-value').innerText()).toContain('1');
    await nav('troubleshoot');
    await page.getByTestId('engine-info').waitFor();
    await shot('troubleshoot');
  });
});
