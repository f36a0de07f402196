import { describe, expect, it } from 'vitest';
import { applyPullProgress, newPull, overallFraction } from './pull-progress.ts';

describe('pull progress', () => {
  it('keeps one bar per layer and the repo lines as messages', () => {
    let p = newPull('reg/app:1');
    p = applyPullProgress(p, { id: '1', status: 'Pulling from reg/app' });
    p = applyPullProgress(p, { id: 'aaa', status: 'Pulling fs layer' });
    p = applyPullProgress(p, { id: 'bbb', status: 'Pulling fs layer' });
    p = applyPullProgress(p, { id: 'aaa', status: 'Downloading', current: 50, total: 100 });
    p = applyPullProgress(p, { id: 'bbb', status: 'Downloading', current: 100, total: 300 });
    expect(p.layers.map((l) => l.id)).toEqual(['aaa', 'bbb']);
    expect(p.messages).toEqual(['Pulling from reg/app 1']);
    expect(overallFraction(p)).toBeCloseTo(150 / 400);
    p = applyPullProgress(p, { id: 'aaa', status: 'Pull complete' });
    expect(p.layers[0]).toMatchObject({ done: true, total: 100, current: 100 });
    p = applyPullProgress(p, { status: 'Digest: sha256:abc' });
    expect(p.messages.at(-1)).toBe('Digest: sha256:abc');
  });

  it('records an error', () => {
    const p = applyPullProgress(newPull('x'), { status: '', error: 'manifest unknown' });
    expect(p).toMatchObject({ state: 'error', error: 'manifest unknown' });
  });
});
