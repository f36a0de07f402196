import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { ShimPool } from './shim-pool.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'berth-shim-pool-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// A stand-in for dist/shim.mjs that speaks the standby protocol and echoes what it was given.
const script = path.join(tmp, 'fake-shim.mjs');
writeFileSync(script, `
const arg = process.argv[2];
process.stderr.write('started ' + arg + '\\n');
const reply = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
if (arg !== '--standby') { reply({ direct: arg }); setTimeout(() => process.exit(0), 50); }
else {
  let buf = '';
  process.stdin.on('data', (d) => { buf += d; if (buf.includes('\\n')) { reply({ given: JSON.parse(buf).config }); setTimeout(() => process.exit(0), 50); } });
  process.stdin.on('end', () => { if (!buf) process.exit(0); });
}
`);

function firstLine(child: import('node:child_process').ChildProcess): Promise<unknown> {
  return new Promise((resolve) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]));
    });
  });
}

describe('ShimPool', () => {
  it('hands the standby its container, moves its log, and starts the next one', async () => {
    const pool = new ShimPool(script, path.join(tmp, 'standby'), 50);
    await pool.start(0);
    await sleep(300);
    expect(readdirSync(path.join(tmp, 'standby'))).toHaveLength(1);
    const log = path.join(tmp, 'c1.log');
    const a = await pool.launch('/data/c1/shim.json', log);
    expect(a.stderrPath).toBe(log);
    expect(await firstLine(a.child)).toEqual({ given: '/data/c1/shim.json' });
    expect(readFileSync(log, 'utf8')).toBe('started --standby\n');
    await sleep(300);
    // The replacement is waiting: one standby log again.
    expect(readdirSync(path.join(tmp, 'standby'))).toHaveLength(1);
    pool.close();
  });

  it('starts a shim directly when no standby is up', async () => {
    const pool = new ShimPool(script, path.join(tmp, 'standby2'), 10_000);
    await pool.start(10_000);
    const log = path.join(tmp, 'c2.log');
    const b = await pool.launch('/data/c2/shim.json', log);
    expect(await firstLine(b.child)).toEqual({ direct: '/data/c2/shim.json' });
    await sleep(100);
    expect(readFileSync(log, 'utf8')).toBe('started /data/c2/shim.json\n');
    pool.close();
  });

  it('names standby logs after the engine and clears leftovers at start', async () => {
    const dir = path.join(tmp, 'standby3');
    const pool = new ShimPool(script, dir, 50);
    await pool.start(0);
    await sleep(300);
    const [log] = readdirSync(dir);
    const pid = Number(/standby-(\d+)-/.exec(log)?.[1]);
    expect(pid).toBe(process.pid);
    pool.close();
    const again = new ShimPool(script, dir, 50);
    await again.start(10_000);
    expect(readdirSync(dir)).toEqual([]);
    again.close();
  });
});
