// Terminal: xterm.js on a TTY exec session. The session lives in the terminal store, so leaving
// the tab keeps it and coming back re-subscribes; the host replays its buffer on subscribe.
import { useEffect, useRef, useState } from 'react';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { berth, errorMessage } from '../../berth-api.ts';
import { notify } from '../../stores/notices-store.ts';
import { useTerminals } from '../../stores/terminal-store.ts';
import { xtermTheme } from './xterm-theme.ts';

type Status = 'connecting' | 'connected' | 'ended' | 'error';

export function TerminalTab({ containerId, name }: { containerId: string; name: string }) {
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const [status, setStatus] = useState<Status>('connecting');
  const [message, setMessage] = useState<string>();
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!host.current) return;
    const t = new Terminal({ cursorBlink: true, fontSize: 13, fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', theme: xtermTheme(), scrollback: 5000 });
    const fit = new FitAddon();
    t.loadAddon(fit);
    t.open(host.current);
    term.current = t;
    try { fit.fit(); } catch { /* not laid out yet; the observer fits it */ }
    let sessionId: string | undefined;
    let stopOutput: (() => void) | undefined;
    let disposed = false;

    t.attachCustomKeyEventHandler((e) => {
      const mod = (e.ctrlKey && e.shiftKey) || e.metaKey;
      if (e.type !== 'keydown' || !mod) return true;
      if (e.key.toLowerCase() === 'c' && t.hasSelection()) {
        void navigator.clipboard.writeText(t.getSelection());
        return false;
      }
      if (e.key.toLowerCase() === 'v') {
        void navigator.clipboard.readText().then((text) => t.paste(text), () => undefined);
        return false;
      }
      return true;
    });
    const input = t.onData((data) => {
      if (sessionId) void berth().terminal.input({ sessionId, data }).catch(() => undefined);
    });
    const resize = t.onResize(({ cols, rows }) => {
      if (sessionId) void berth().terminal.resize({ sessionId, cols, rows }).catch(() => undefined);
    });
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => { try { fit.fit(); } catch { /* hidden */ } });
    });
    observer.observe(host.current);

    setStatus('connecting');
    const terminals = useTerminals.getState();
    const reused = Boolean(terminals.sessions[containerId]);
    terminals.session(containerId, t.cols, t.rows).then((id) => {
      if (disposed) return;
      sessionId = id;
      if (reused) void berth().terminal.resize({ sessionId: id, cols: t.cols, rows: t.rows }).catch(() => undefined);
      stopOutput = berth().terminal.output({ sessionId: id }, ({ data }) => t.write(data), (err) => {
        if (disposed) return;
        useTerminals.getState().forget(containerId);
        setStatus(err ? 'error' : 'ended');
        setMessage(err ? errorMessage(err) : undefined);
      });
      setStatus('connected');
      t.focus();
    }, (err) => {
      if (disposed) return;
      setStatus('error');
      setMessage(errorMessage(err));
    });

    return () => {
      disposed = true;
      stopOutput?.();
      observer.disconnect();
      cancelAnimationFrame(frame);
      input.dispose();
      resize.dispose();
      t.dispose();
      term.current = null;
    };
  }, [containerId, attempt]);

  const copy = () => {
    const text = term.current?.getSelection() ?? '';
    if (!text) return notify('info', 'Select text in the terminal first.');
    void navigator.clipboard.writeText(text).then(() => notify('info', 'Copied.'), (err) => notify('error', `Couldn't copy: ${errorMessage(err)}`));
  };
  const paste = () => {
    void navigator.clipboard.readText().then((text) => { term.current?.paste(text); term.current?.focus(); },
      (err) => notify('error', `Couldn't paste: ${errorMessage(err)}`));
  };
  const restart = () => {
    void useTerminals.getState().close(containerId).then(() => setAttempt((a) => a + 1));
  };

  return (
    <div className="terminal-tab">
      <div className="toolbar">
        <span className={`small status-${status}`} role="status" data-testid="terminal-status">
          {status === 'connecting' && 'Connecting…'}
          {status === 'connected' && `Shell in ${name}`}
          {status === 'ended' && 'The shell exited.'}
          {status === 'error' && `Terminal failed: ${message}`}
        </span>
        <span className="spacer" />
        <button type="button" className="button" onClick={copy} title="Ctrl+Shift+C">Copy</button>
        <button type="button" className="button" onClick={paste} title="Ctrl+Shift+V">Paste</button>
        <button type="button" className="button" onClick={restart}>{status === 'ended' || status === 'error' ? 'Reconnect' : 'New session'}</button>
      </div>
      <div ref={host} className="terminal-host" data-testid="terminal" aria-label={`Terminal in ${name}`} />
    </div>
  );
}
