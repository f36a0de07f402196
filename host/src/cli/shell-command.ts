// `berth shell [-- command …]`: a shell (or one command) in the VM over the link, with a PTY when
// this terminal is one; window resizes follow.
import { readFileSync } from 'node:fs';
import { BerthPaths } from '../home/berth-paths.ts';
import { LinkClient } from '../link/link-client.ts';
import { vmDriver } from './vm-environment.ts';

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

export async function shellCommand(argv: string[]): Promise<number> {
  const home = new BerthPaths();
  const vm = await vmDriver(home).status();
  if (vm.state !== 'running' || !vm.linkPort) {
    process.stderr.write('berth shell: Berth is not running (berth start)\n');
    return 1;
  }
  const link = await LinkClient.connect({ port: vm.linkPort, privateKey: readFileSync(home.privateKey, 'utf8'), knownHostFile: home.knownHost });
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const tty = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const pty = tty ? { term: process.env.TERM ?? 'xterm-256color', rows: process.stdout.rows, cols: process.stdout.columns } : undefined;
  const ch = args.length ? await link.exec(args.map(quote).join(' '), pty) : pty ? await link.shell(pty) : await link.exec('/bin/sh');
  const onResize = () => ch.setWindow(process.stdout.rows, process.stdout.columns, 0, 0);
  if (tty) {
    process.stdin.setRawMode(true);
    process.stdout.on('resize', onResize);
  }
  process.stdin.pipe(ch);
  ch.pipe(process.stdout);
  ch.stderr.pipe(process.stderr);
  const code = await new Promise<number>((resolve) => {
    let exit = 0;
    ch.on('exit', (c: number | null) => (exit = c ?? 255));
    ch.on('close', () => resolve(exit));
  });
  if (tty) process.stdin.setRawMode(false);
  process.stdout.off('resize', onResize);
  process.stdin.unpipe(ch);
  process.stdin.pause();
  link.close();
  return code;
}
