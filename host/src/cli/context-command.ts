// `berth context`: a docker context named `berth` pointing at BERTH_HOME/docker.sock, created
// with the docker CLI (or updated when it points elsewhere); running it again changes nothing.
import { execFileSync } from 'node:child_process';
import { BerthPaths } from '../home/berth-paths.ts';
import { findExecutable } from '../vm/vm-image.ts';

export async function contextCommand(_argv: string[]): Promise<number> {
  const host = `unix://${new BerthPaths().dockerSocket}`;
  const docker = findExecutable('docker');
  if (!docker) {
    process.stderr.write(`berth context: the docker CLI is not installed; without it use: export DOCKER_HOST=${host}\n`);
    return 1;
  }
  let current: string | undefined;
  try {
    current = execFileSync(docker, ['context', 'inspect', 'berth', '--format', '{{.Endpoints.docker.Host}}'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    current = undefined;
  }
  if (current === undefined) {
    execFileSync(docker, ['context', 'create', 'berth', '--description', 'Berth', '--docker', `host=${host}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  } else if (current !== host) {
    execFileSync(docker, ['context', 'update', 'berth', '--docker', `host=${host}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  process.stdout.write(`berth\t${host}\n`);
  process.stderr.write('use it with: docker context use berth   (or: docker --context berth …)\n');
  return 0;
}
