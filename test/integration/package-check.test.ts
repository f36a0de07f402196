// electron-builder's real `--linux dir` packaging, offline with a stand-in Electron binary:
// the app.asar must hold the app (issue 5: "check it with --linux dir and a local electronDist").
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, run } from '../harness/engine-process.ts';

describe('packaging', () => {
  it('packs the app with electron-builder (--linux dir)', async () => {
    const r = await run(process.execPath, [path.join(ROOT, 'build/package-check.mjs')], { timeoutMs: 120_000 });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout + r.stderr).toContain('package:check OK');
    expect(existsSync(path.join(ROOT, 'dist/electron-builder/linux-unpacked/resources/app.asar'))).toBe(true);
  }, 150_000);
});
