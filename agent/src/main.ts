// `berth engine`: the engine in the foreground (native mode on Linux, and inside the VM).
// SIGTERM/SIGINT stop the API and leave containers running under their shims (dockerd's
// live-restore); the next start re-adopts them.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from './engine/engine.ts';
import { listenDockerApi } from './api/docker/server.ts';
import { log, setLogLevel } from './log.ts';

const USAGE = `usage: berth engine [--socket PATH] [--data-root DIR] [--exec-root DIR] [--bridge NAME] [--subnet CIDR] [--config-file FILE] [--log-level LEVEL]`;

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      socket: { type: 'string', default: '/run/berth/docker.sock' },
      'data-root': { type: 'string', default: '/var/lib/berth' },
      'exec-root': { type: 'string', default: '/run/berth' },
      bridge: { type: 'string', default: 'berth0' },
      subnet: { type: 'string', default: '172.29.0.0/16' },
      'log-level': { type: 'string', default: 'info' },
      'config-file': { type: 'string', default: '/etc/berth/daemon.json' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    process.stderr.write('berth engine runs natively on Linux as root; on other systems use `berth start` (the VM).\n');
    process.exit(1);
  }
  setLogLevel(values['log-level'] as 'info');
  const here = path.dirname(fileURLToPath(import.meta.url));
  const engine = await Engine.open({
    dataRoot: path.resolve(values['data-root']!),
    execRoot: path.resolve(values['exec-root']!),
    bridge: values.bridge!,
    subnet: values.subnet!,
    shimScript: path.join(here, 'shim.mjs'),
    configFile: path.resolve(values['config-file']!),
  });
  const socket = path.resolve(values.socket!);
  const server = await listenDockerApi(engine, socket);
  log.info('listening', { socket });
  process.stderr.write(`\nBerth engine is ready. Point the docker CLI at it:\n  export DOCKER_HOST=unix://${socket}\n  docker run --rm -it <image> sh\n\n`);
  const stop = (sig: string) => {
    log.info(`${sig}: stopping the API; containers keep running and are re-adopted on the next start`);
    server.close();
    server.closeAllConnections();
    void engine.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main(process.argv.slice(2)).catch((e) => {
  log.error('engine failed to start', { err: e instanceof Error ? e.message : String(e) });
  process.exit(1);
});
