// `berth status [--json]`: the VM (pid file + QMP), the host agent, the engine (/_ping through
// docker.sock) and the guest (through the link).
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { GuestStatus } from '../../../protocol/src/link.ts';
import { BerthPaths } from '../home/berth-paths.ts';
import { LinkClient } from '../link/link-client.ts';
import { EngineClient } from '../ports/engine-client.ts';
import { livePid } from '../vm/pid-file.ts';
import { vmDriver } from './vm-environment.ts';

export async function statusCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } } });
  const home = new BerthPaths();
  const vm = await vmDriver(home).status();
  const agentPid = livePid(home.hostAgentPid);
  const engine = existsSync(home.dockerSocket) && (await new EngineClient(home.dockerSocket).ping());
  let guest: GuestStatus | undefined;
  if (vm.state === 'running' && vm.linkPort && existsSync(home.privateKey)) {
    try {
      const link = await LinkClient.connect({ port: vm.linkPort, privateKey: readFileSync(home.privateKey, 'utf8'), knownHostFile: home.knownHost, readyTimeoutMs: 3000 });
      guest = await link.status();
      link.close();
    } catch {
      // booting, or the link is down: reported as absent
    }
  }
  const report = { home: home.dir, vm, hostAgentPid: agentPid ?? null, dockerSocket: home.dockerSocket, engine, guest: guest ?? null };
  if (values.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else if (vm.state === 'stopped') {
    process.stdout.write(`Berth is stopped (BERTH_HOME ${home.dir})\n`);
  } else {
    process.stdout.write([
      `VM:         running (${vm.runState}), pid ${vm.pid}, accel ${vm.accel}, since ${vm.startedAt}`,
      `host agent: ${agentPid ? `pid ${agentPid}` : 'not running'}`,
      `engine:     ${engine ? `answers at unix://${home.dockerSocket}` : 'not answering'}`,
      guest ? `guest:      up ${Math.round(guest.uptimeSeconds)}s, load ${guest.loadAverage.map((l) => l.toFixed(2)).join(' ')}, ${Math.round(guest.memFreeBytes / 2 ** 20)}/${Math.round(guest.memTotalBytes / 2 ** 20)} MiB free, node ${guest.nodeVersion}` : 'guest:      link not reachable',
    ].join('\n') + '\n');
  }
  return vm.state === 'running' && engine ? 0 : vm.state === 'stopped' ? 3 : 1;
}
