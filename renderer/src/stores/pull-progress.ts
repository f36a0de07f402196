// Folds the engine's pull progress stream into one bar per layer, as a pure function.
import type { PullProgress } from '../../../protocol/src/api-shapes.ts';

export interface LayerProgress {
  id: string;
  status: string;
  current?: number;
  total?: number;
  done: boolean;
}

export interface PullView {
  ref: string;
  layers: LayerProgress[];
  /** Lines without a layer id ("Pulling from library/x", "Digest: …", "Status: …"). */
  messages: string[];
  state: 'pulling' | 'done' | 'error';
  error?: string;
}

const DONE = /^(pull complete|already exists|download complete)$/i;

export function newPull(ref: string): PullView {
  return { ref, layers: [], messages: [], state: 'pulling' };
}

export function applyPullProgress(pull: PullView, ev: PullProgress): PullView {
  if (ev.error) return { ...pull, state: 'error', error: ev.error };
  // A bare "Pulling fs layer"-style line names its layer; "Pulling from x" carries the repo as id.
  if (!ev.id || /^pulling from /i.test(ev.status)) {
    return { ...pull, messages: [...pull.messages, ev.id && !ev.status.includes(ev.id) ? `${ev.status} ${ev.id}` : ev.status] };
  }
  const done = DONE.test(ev.status);
  const i = pull.layers.findIndex((l) => l.id === ev.id);
  const prev = i >= 0 ? pull.layers[i] : undefined;
  const layer: LayerProgress = {
    id: ev.id,
    status: ev.status,
    current: ev.current ?? (done ? prev?.total : prev?.current),
    total: ev.total ?? prev?.total,
    done: done || Boolean(prev?.done && !ev.total),
  };
  const layers = i >= 0 ? pull.layers.map((l, k) => (k === i ? layer : l)) : [...pull.layers, layer];
  return { ...pull, layers };
}

/** 0..1 over layers whose size is known; undefined when none is. */
export function overallFraction(pull: PullView): number | undefined {
  const sized = pull.layers.filter((l) => l.total);
  if (pull.state === 'done') return 1;
  if (sized.length === 0) return undefined;
  const total = sized.reduce((s, l) => s + (l.total ?? 0), 0);
  const current = sized.reduce((s, l) => s + (l.done ? l.total ?? 0 : Math.min(l.current ?? 0, l.total ?? 0)), 0);
  return total ? current / total : undefined;
}
