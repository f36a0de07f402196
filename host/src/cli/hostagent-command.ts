// `berth hostagent` (internal; started detached by `berth start`): runs the host agent in the
// foreground, logging to stdout (redirected to BERTH_HOME/logs/hostagent.log).
import { parseArgs } from 'node:util';
import { EventLog } from '../hostagent/event-log.ts';
import { HostAgent } from '../hostagent/host-agent.ts';
import { SIZE_OPTIONS, startEnvironment } from './vm-environment.ts';

export async function hostagentCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...SIZE_OPTIONS, timeout: { type: 'string' } } });
  const env = await startEnvironment(values);
  const agent = new HostAgent({
    ...env,
    events: new EventLog(env.home.hostAgentEvents),
    bootTimeoutMs: Number(values.timeout ?? 300) * 1000,
    log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
  // Exit once the VM is gone, whatever retry timers (link reconnects, event streams) are pending.
  process.exit(await agent.run());
}
