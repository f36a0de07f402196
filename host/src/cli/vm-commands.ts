// The VM commands (issue 4), registered into main.ts's table in one line. Loaded lazily so
// `berth ui` and friends do not pay for ssh2.
type Command = (argv: string[]) => Promise<number>;
const lazy = (load: () => Promise<Command>): Command => async (argv) => (await load())(argv);

export const vmCommands: Record<string, Command> = {
  start: lazy(async () => (await import('./start-command.ts')).startCommand),
  stop: lazy(async () => (await import('./stop-command.ts')).stopCommand),
  restart: lazy(async () => (await import('./restart-command.ts')).restartCommand),
  status: lazy(async () => (await import('./status-command.ts')).statusCommand),
  logs: lazy(async () => (await import('./logs-command.ts')).logsCommand),
  shell: lazy(async () => (await import('./shell-command.ts')).shellCommand),
  context: lazy(async () => (await import('./context-command.ts')).contextCommand),
  reset: lazy(async () => (await import('./reset-command.ts')).resetCommand),
  hostagent: lazy(async () => (await import('./hostagent-command.ts')).hostagentCommand),
};

export const VM_USAGE = `  berth start [--cpus N] [--memory MiB] [--disk GiB] [--accel auto|kvm|tcg|hvf|whpx] [--share DIR …]
        boot the VM; returns when the engine answers at $BERTH_HOME/docker.sock (~/.berth).
        Shared folders (default: your home; settings.json "sharedFolders") appear in the VM
        at the same path, so \`docker run -v "$PWD":/src …\` works from inside them
  berth stop | restart | status [--json] | logs [--serial|--agent] [-n N]
  berth shell [-- command …]                       a shell in the VM
  berth context                                    create the docker context "berth"
  berth reset [--force]                            delete the VM disk and state`;
