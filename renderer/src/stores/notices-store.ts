// Messages the user should see after an action: errors stay until dismissed, news fades.
import { create } from 'zustand';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

interface NoticesState {
  notices: Notice[];
  notify(kind: Notice['kind'], text: string): void;
  dismiss(id: number): void;
}

let nextId = 1;

export const useNotices = create<NoticesState>()((set, get) => ({
  notices: [],
  notify(kind, text) {
    const id = nextId++;
    set({ notices: [...get().notices.slice(-4), { id, kind, text }] });
    if (kind === 'info') setTimeout(() => get().dismiss(id), 5000);
  },
  dismiss(id) {
    set({ notices: get().notices.filter((n) => n.id !== id) });
  },
}));

export const notify = (kind: Notice['kind'], text: string): void => useNotices.getState().notify(kind, text);
