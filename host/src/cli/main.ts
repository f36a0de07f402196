// The host-side `berth` CLI. Today it explains the commands; the VM commands (start, stop,
// status, shell, context) arrive with the VM issue. `berth engine` is dispatched to the engine
// by bin/berth.mjs before this runs.
const USAGE = `Berth — an open-source container engine that speaks the Docker Engine API.

Usage:
  berth engine [--socket PATH] [--data-root DIR]   run the engine natively (Linux, root)
  berth help                                       show this text

Defaults: --socket /run/berth/docker.sock --data-root /var/lib/berth
Then:     export DOCKER_HOST=unix:///run/berth/docker.sock && docker info
`;

export function main(argv: string[]): number {
  const [cmd] = argv;
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(USAGE);
    return 0;
  }
  process.stderr.write(`berth: unknown command "${cmd}" (the VM commands arrive with the VM issue)\n\n${USAGE}`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
