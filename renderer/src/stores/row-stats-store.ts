// The latest stats sample of each running container the list shows, from one light stats
// subscription per visible running row, shared by reference count.
import { create } from 'zustand';
import type { StatsSample } from '../../../protocol/src/api-shapes.ts';
import { berth } from '../berth-api.ts';

interface RowStatsState {
  latest: Record<string, StatsSample>;
}

export const useRowStats = create<RowStatsState>()(() => ({ latest: {} }));

const subs = new Map<string, { count: number; stop: () => void }>();

export function watchRowStats(id: string): () => void {
  let sub = subs.get(id);
  if (!sub) {
    const drop = () => {
      const latest = { ...useRowStats.getState().latest };
      delete latest[id];
      useRowStats.setState({ latest });
    };
    let stop: () => void = () => undefined;
    try {
      stop = berth().containers.stats({ id }, (s) => {
        useRowStats.setState({ latest: { ...useRowStats.getState().latest, [id]: s } });
      }, () => {
        subs.delete(id);
        drop();
      });
    } catch {
      // No stats for this row; the cells stay empty.
    }
    sub = { count: 0, stop: () => { stop(); drop(); } };
    subs.set(id, sub);
  }
  sub.count++;
  const mine = sub;
  return () => {
    mine.count--;
    if (mine.count === 0 && subs.get(id) === mine) {
      subs.delete(id);
      mine.stop();
    }
  };
}
