// The engine's own resource limits (/proc/self/limits), which containers inherit: without
// CAP_SYS_RESOURCE a spec may not ask for more. Unlimited values are left out of the result, since
// an OCI spec cannot carry 2^64-1 through JSON numbers and leaving them out inherits them anyway.
import { promises as fs } from 'node:fs';

export interface HostRlimit {
  type: string;
  soft: number;
  hard: number;
}

const names: Record<string, string> = {
  'Max cpu time': 'RLIMIT_CPU', 'Max file size': 'RLIMIT_FSIZE', 'Max data size': 'RLIMIT_DATA',
  'Max stack size': 'RLIMIT_STACK', 'Max core file size': 'RLIMIT_CORE', 'Max resident set': 'RLIMIT_RSS',
  'Max processes': 'RLIMIT_NPROC', 'Max open files': 'RLIMIT_NOFILE', 'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max address space': 'RLIMIT_AS', 'Max file locks': 'RLIMIT_LOCKS', 'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE', 'Max nice priority': 'RLIMIT_NICE', 'Max realtime priority': 'RLIMIT_RTPRIO',
  'Max realtime timeout': 'RLIMIT_RTTIME',
};

export function parseLimits(text: string): HostRlimit[] {
  const out: HostRlimit[] = [];
  for (const line of text.split('\n').slice(1)) {
    const m = /^(.+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    if (!m || !names[m[1]] || m[2] === 'unlimited' || m[3] === 'unlimited') continue;
    out.push({ type: names[m[1]], soft: Number(m[2]), hard: Number(m[3]) });
  }
  return out;
}

export async function hostLimits(): Promise<HostRlimit[]> {
  return parseLimits(await fs.readFile('/proc/self/limits', 'utf8'));
}
