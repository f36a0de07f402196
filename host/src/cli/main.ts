// The host-side `berth` CLI: a table of commands, one file each. `berth engine` is dispatched to
// the engine by bin/berth.mjs before this runs.
import { startAppCommand, startAppUsage } from './start-app-command.ts';
import { uiCommand, uiUsage } from './ui-command.ts';
import { VM_USAGE, vmCommands } from './vm-commands.ts';

const USAGE = `Berth — an open-source container engine that speaks the Docker Engine API.

Usage:
  berth engine [--socket PATH] [--data-root DIR]   run the engine natively (Linux, root)
  ${uiUsage}
        the dashboard in a browser (web mode) on 127.0.0.1; prints the URL with its token
  ${startAppUsage}
        the desktop app; without Electron's binary: the native engine + web mode (Linux, root)
${VM_USAGE}
  berth help                                       show this text

Defaults: --socket /run/berth/docker.sock (or DOCKER_HOST) --data-root /var/lib/berth
Then:     export DOCKER_HOST=unix:///run/berth/docker.sock && docker info
`;

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  ui: uiCommand,
  'start-app': startAppCommand,
  ...vmCommands,
};

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  const run = commands[cmd];
  if (!run) {
    process.stderr.write(`berth: unknown command "${cmd}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (e) {
    process.stderr.write(`berth ${cmd}: ${(e as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
