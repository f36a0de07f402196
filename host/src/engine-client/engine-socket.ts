// Which engine socket a host process talks to when nobody says: a unix DOCKER_HOST, else the
// native engine's default. (VM mode's ~/.berth/docker.sock takes over with the VM issue.)
import path from 'node:path';

export const DEFAULT_SOCKET = '/run/berth/docker.sock';

/** An explicit socket (path or unix:// URL), else a unix DOCKER_HOST, else DEFAULT_SOCKET. */
export function engineSocket(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return path.resolve(flag.replace(/^unix:\/\//, ''));
  if (env.DOCKER_HOST?.startsWith('unix://')) return env.DOCKER_HOST.slice('unix://'.length);
  return DEFAULT_SOCKET;
}
