// What the Settings form changed, and whether that needs the VM to restart.
import type { Settings } from '../../../../protocol/src/api-shapes.ts';

const RESOURCES = ['cpus', 'memoryMb', 'diskGb'] as const;

export function settingsChange(saved: Settings, draft: Settings): Partial<Settings> {
  const change: Partial<Settings> = {};
  for (const k of Object.keys(draft) as (keyof Settings)[]) {
    if (JSON.stringify(saved[k]) !== JSON.stringify(draft[k])) (change as Record<string, unknown>)[k] = draft[k];
  }
  return change;
}

export function touchesResources(change: Partial<Settings>): boolean {
  return RESOURCES.some((k) => k in change);
}

/** A slider's bounds: what the host allows, but never hiding the value already saved. */
export function sliderRange(min: number, hostMax: number, value: number): { min: number; max: number } {
  return { min: Math.min(min, value), max: Math.max(hostMax, value, min) };
}
