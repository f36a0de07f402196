import { describe, expect, it } from 'vitest';
import type { Settings } from '../../../../protocol/src/api-shapes.ts';
import { settingsChange, sliderRange, touchesResources } from './settings-diff.ts';

const saved: Settings = { cpus: 2, memoryMb: 2048, diskGb: 64, sharedFolders: ['/home'], insecureRegistries: [], registryMirrors: [], startAtLogin: false, theme: 'system' };

describe('settings diff', () => {
  it('sends only what changed and knows when the VM restarts', () => {
    const change = settingsChange(saved, { ...saved, insecureRegistries: ['127.0.0.1:5000'] });
    expect(change).toEqual({ insecureRegistries: ['127.0.0.1:5000'] });
    expect(touchesResources(change)).toBe(false);
    expect(touchesResources(settingsChange(saved, { ...saved, memoryMb: 4096 }))).toBe(true);
  });
  it('bounds sliders by the host without hiding the saved value', () => {
    expect(sliderRange(1, 8, 2)).toEqual({ min: 1, max: 8 });
    expect(sliderRange(512, 4096, 8192)).toEqual({ min: 512, max: 8192 });
  });
});
