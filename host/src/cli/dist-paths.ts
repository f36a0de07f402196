// Where the built pieces are. The CLI runs as dist/host.mjs (bin/berth.mjs imports it), so the
// bundle's own folder is dist/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.dirname(fileURLToPath(import.meta.url));

export const distPaths = {
  root: path.dirname(dist),
  agent: path.join(dist, 'agent.mjs'),
  renderer: path.join(dist, 'renderer'),
  bootstrap: path.join(dist, 'renderer-bootstrap', 'berth-web.js'),
};
