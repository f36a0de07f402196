import { describe, expect, it } from 'vitest';
import { execProcessJson } from './exec-process.ts';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES } from './capabilities.ts';

describe('execProcessJson', () => {
  const base = { args: ['sh'], env: ['A=1'], cwd: '', user: { uid: 1, gid: 2, additionalGids: [3] }, tty: true, cols: 80, rows: 25 };
  it('derives capabilities like the container', () => {
    expect(execProcessJson(base).capabilities.bounding).toEqual([...DEFAULT_CAPABILITIES]);
    expect(execProcessJson({ ...base, privileged: true }).capabilities.effective).toEqual([...ALL_CAPABILITIES]);
    expect(execProcessJson({ ...base, capDrop: ['ALL'] }).capabilities.permitted).toEqual([]);
    expect(execProcessJson({ ...base, capabilities: ['CAP_KILL'] }).capabilities.bounding).toEqual(['CAP_KILL']);
  });
  it('carries terminal, size, user and cwd', () => {
    expect(execProcessJson(base)).toMatchObject({
      terminal: true, consoleSize: { height: 25, width: 80 }, user: { uid: 1, gid: 2, additionalGids: [3] }, cwd: '/', env: ['A=1'],
    });
  });
});
