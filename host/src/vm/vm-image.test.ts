import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPrerequisites, findExecutable } from './vm-image.ts';

const saved = { PATH: process.env.PATH, BERTH_IMAGE_DIR: process.env.BERTH_IMAGE_DIR, BERTH_QEMU: process.env.BERTH_QEMU };
const tmp = mkdtempSync(path.join(os.tmpdir(), 'berth-prereq-'));
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('checkPrerequisites', () => {
  it('names every missing piece and what to do about it', () => {
    process.env.PATH = tmp;
    process.env.BERTH_IMAGE_DIR = path.join(tmp, 'no-image');
    delete process.env.BERTH_QEMU;
    let message = '';
    try {
      checkPrerequisites('amd64');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^berth cannot start the VM:/);
    expect(message).toContain('qemu-system-x86_64 was not found on PATH');
    expect(message).toContain('qemu-img was not found on PATH');
    expect(message).toMatch(/the VM image is missing \(vmlinuz, initrd\.img, root\.erofs in .*no-image\): build it with `npm run vm-image`/);
  });

  it('passes with QEMU on PATH and a built image', () => {
    for (const f of ['qemu-system-aarch64', 'qemu-img']) writeFileSync(path.join(tmp, f), '#!/bin/sh\n', { mode: 0o755 });
    for (const f of ['vmlinuz', 'initrd.img', 'root.erofs']) writeFileSync(path.join(tmp, f), '');
    process.env.PATH = tmp;
    process.env.BERTH_IMAGE_DIR = tmp;
    expect(checkPrerequisites('arm64')).toMatchObject({ qemu: path.join(tmp, 'qemu-system-aarch64'), image: { root: path.join(tmp, 'root.erofs') } });
    expect(findExecutable('qemu-img', tmp)).toBe(path.join(tmp, 'qemu-img'));
    rmSync(tmp, { recursive: true, force: true });
  });
});
