// The three built-in networks (bridge, host, none). User-defined networks arrive with their own
// issue; until then create/connect answer 501 rather than pretending.
import type { Engine } from '../../../engine/engine.ts';
import { networkId } from '../../../engine/container-start.ts';
import { EngineError, notFound } from '../../../errors.ts';
import type { Router } from '../router.ts';
import { sendJson } from '../http-io.ts';

export function registerNetworkRoutes(r: Router, engine: Engine): void {
  const ctx = engine.ctx;
  const nets = () => {
    const bridgeContainers = Object.fromEntries(
      ctx.containers
        .list()
        .filter((c) => c.state.endpoint)
        .map((c) => [c.id, { Name: c.name, EndpointID: c.id, MacAddress: c.state.endpoint!.macAddress, IPv4Address: `${c.state.endpoint!.ipAddress}/${c.state.endpoint!.prefixLen}`, IPv6Address: '' }]),
    );
    const base = (name: string, id: string, driver: string) => ({
      Name: name, Id: id, Created: engine.startedAt.toISOString(), Scope: 'local', Driver: driver, EnableIPv4: true, EnableIPv6: false,
      Internal: false, Attachable: false, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false, Options: {}, Labels: {},
      IPAM: { Driver: 'default', Options: null, Config: [] as Array<{ Subnet: string; Gateway: string }> }, Containers: {} as Record<string, unknown>,
    });
    const bridge = base('bridge', networkId(ctx), 'bridge');
    bridge.IPAM.Config = [{ Subnet: ctx.network.subnet, Gateway: ctx.network.gateway }];
    bridge.Containers = bridgeContainers;
    bridge.Options = { 'com.docker.network.bridge.name': ctx.opts.bridge, 'com.docker.network.bridge.default_bridge': 'true' };
    return [bridge, base('host', 'host'.padEnd(64, '0'), 'host'), base('none', 'none'.padEnd(64, '0'), 'null')];
  };
  r.on('GET', '/networks', (c) => sendJson(c, 200, nets()));
  r.on('GET', '/networks/:id', (c) => {
    const n = nets().find((x) => x.Name === c.params.id || x.Id.startsWith(c.params.id));
    if (!n) throw notFound(`network ${c.params.id} not found`);
    sendJson(c, 200, n);
  });
  r.on('POST', '/networks/prune', (c) => sendJson(c, 200, { NetworksDeleted: null }));
  r.on('POST', '/build/prune', (c) => sendJson(c, 200, { CachesDeleted: null, SpaceReclaimed: 0 }));
  const unsupported = () => {
    throw new EngineError('NotImplemented', 'user-defined networks are not supported yet');
  };
  r.on('POST', '/networks/create', unsupported);
  r.on('POST', '/networks/:id/connect', unsupported);
  r.on('POST', '/networks/:id/disconnect', unsupported);
  r.on('DELETE', '/networks/:id', unsupported);
}
