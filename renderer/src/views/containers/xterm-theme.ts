// xterm.js draws its own colors; take them from the page's CSS variables so themes match.
import type { ITheme } from '@xterm/xterm';

export function xtermTheme(): ITheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    background: v('--term-bg', '#0f1419'),
    foreground: v('--term-fg', '#e6e6e6'),
    cursor: v('--accent', '#3b82f6'),
    selectionBackground: v('--term-selection', '#264f78'),
  };
}
