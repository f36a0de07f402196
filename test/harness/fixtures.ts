// Fixture images for integration tests: built once by test/global-setup.ts, loaded per engine.
import path from 'node:path';
import { expect } from 'vitest';
import type { EngineHandle } from './engine-process.ts';

export const FIXTURES = path.resolve(import.meta.dirname, '../.work/fixtures');
export const BUSYBOX = 'berth-test/busybox:latest';
export const HTTPD = 'berth-test/httpd:latest';
export const LAYERS = 'berth-test/layers:latest';
export const VOLUME = 'berth-test/volume:latest';

export const fixture = (file: string) => path.join(FIXTURES, file);

export async function loadFixtures(e: EngineHandle, files = ['busybox.tar', 'httpd.tar', 'layers.tar', 'volume.tar']): Promise<void> {
  for (const f of files) {
    const r = await e.docker(['load', '-i', fixture(f)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }
}
