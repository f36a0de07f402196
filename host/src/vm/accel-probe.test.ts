import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseAccel } from './accel-probe.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-accel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeQemu(name: string, script: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${script}\n`);
  chmodSync(file, 0o755);
  return file;
}

let kvmUsable = true;
try {
  readFileSync('/dev/kvm');
} catch (e) {
  kvmUsable = (e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'EACCES';
}

describe('accelerator choice', () => {
  it('honours an explicit choice and the native accelerator on macOS and Windows', async () => {
    const p = { qemu: 'q', arch: 'amd64' as const, kernel: 'k', cacheFile: path.join(dir, 'none.json') };
    expect((await chooseAccel('tcg', p)).accel).toBe('tcg');
    expect((await chooseAccel('auto', { ...p, platform: 'darwin' })).accel).toBe('hvf');
    expect((await chooseAccel('auto', { ...p, platform: 'win32' })).accel).toBe('whpx');
    expect((await chooseAccel('auto', { ...p, platform: 'freebsd' })).accel).toBe('tcg');
  });

  // Needs a /dev/kvm node to get past the first check; the probe itself is a fake QEMU.
  it.skipIf(!kvmUsable)('probes KVM by booting: an answer means KVM, a hang or a failure means TCG, cached', async () => {
    const ok = fakeQemu('ok', 'echo "Linux version 6.1"; sleep 5');
    const hang = fakeQemu('hang', 'sleep 30');
    const fail = fakeQemu('fail', 'echo "failed to set MSR" >&2; exit 1');
    const p = (qemu: string, cache: string) => ({ qemu, arch: 'amd64' as const, kernel: 'k', cacheFile: path.join(dir, cache), platform: 'linux' as const, timeoutMs: 500 });
    expect(await chooseAccel('auto', p(ok, 'a.json'))).toEqual({ accel: 'kvm', reason: 'KVM probe boot answered' });
    const t0 = Date.now();
    expect((await chooseAccel('auto', p(hang, 'b.json'))).accel).toBe('tcg');
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(await chooseAccel('auto', p(fail, 'c.json'))).toMatchObject({ accel: 'tcg', reason: expect.stringContaining('failed to set MSR') });
    // cached: a now-working QEMU at the same path is not asked again
    writeFileSync(hang, '#!/bin/sh\necho "Linux version"\n');
    expect(await chooseAccel('auto', p(hang, 'b.json'))).toMatchObject({ accel: 'tcg', reason: expect.stringContaining('(cached)') });
  });
});
