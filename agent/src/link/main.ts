// Entry of the guest's link service (bundled to dist/link.mjs; started by the guest init with the
// authorized key in place). Runs on the guest's Node, which may be 18: no Node-20-only APIs here.
import { parseArgs } from 'node:util';
import { GUEST_AUTHORIZED_KEY, GUEST_ENGINE_SOCKET, LINK_GUEST_PORT } from '../../../protocol/src/link-wire.ts';
import { loadOrCreateHostKey } from './host-key.ts';
import { LinkServer } from './link-server.ts';

const { values } = parseArgs({
  options: {
    listen: { type: 'string', default: `0.0.0.0:${LINK_GUEST_PORT}` },
    'authorized-key': { type: 'string', default: GUEST_AUTHORIZED_KEY },
    'host-key-dir': { type: 'string', default: '/var/lib/berth/link' },
    'engine-socket': { type: 'string', default: GUEST_ENGINE_SOCKET },
    shell: { type: 'string', default: '/bin/sh' },
  },
});
const log = (line: string) => process.stderr.write(`berth-link: ${line}\n`);
const listen = values.listen ?? '';
const at = listen.lastIndexOf(':');
// The data disk keeps the host key stable across boots; tmpfs does if the disk is not there.
function hostKey(): string {
  try {
    return loadOrCreateHostKey(values['host-key-dir'] ?? '');
  } catch (err) {
    log(`host key on ${values['host-key-dir']}: ${(err as Error).message}; using /run/berth/link`);
    return loadOrCreateHostKey('/run/berth/link');
  }
}
const server = new LinkServer({
  hostKey: hostKey(),
  authorizedKeyFile: values['authorized-key'] ?? GUEST_AUTHORIZED_KEY,
  engineSocket: values['engine-socket'] ?? GUEST_ENGINE_SOCKET,
  shell: values.shell,
  log,
});
const port = await server.listen(Number(listen.slice(at + 1)), listen.slice(0, at));
log(`listening on ${listen.slice(0, at)}:${port}`);
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => void server.close().then(() => process.exit(0)));
}
