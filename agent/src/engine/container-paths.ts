// Where a container's files live. Sockets go under the short exec root because unix socket
// paths are limited to 108 bytes.
import path from 'node:path';
import type { EngineContext } from './context.ts';

export function containerPaths(ctx: EngineContext, id: string) {
  const dir = ctx.containers.dir(id);
  return {
    dir,
    rootfs: path.join(dir, 'rootfs'),
    log: path.join(dir, `${id}-json.log`),
    exitFile: path.join(dir, 'exit.json'),
    shimConfig: path.join(dir, 'shim.json'),
    shimSocket: path.join(ctx.opts.execRoot, 'shims', `${id.slice(0, 16)}.sock`),
  };
}
