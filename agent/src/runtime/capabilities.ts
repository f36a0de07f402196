// Docker's capability rules (moby oci/caps): its default set, `ALL`, names with or without the
// CAP_ prefix, and the add/drop precedence of TweakCapabilities.
import { invalid } from '../errors.ts';

/** Every capability up to CAP_CHECKPOINT_RESTORE (40), the newest this kernel and runc 1.1 know. */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER',
  'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** Docker's default set (moby oci/caps/defaults.go), NET_RAW included. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

const known = new Set(ALL_CAPABILITIES);

/** Upper-cases and prefixes CAP_; `ALL` passes through. Unknown names are Docker's 400. */
export function normalizeCapabilities(caps: readonly string[]): string[] {
  return caps.map((raw) => {
    let c = raw.toUpperCase();
    if (c === 'ALL') return c;
    if (!c.startsWith('CAP_')) c = `CAP_${c}`;
    if (!known.has(c)) throw invalid(`unknown capability: "${c}"`);
    return c;
  });
}

/** Capability names whose bit is set in a kernel mask (CapBnd/CapEff); index = capability number. */
export function capabilitiesInMask(mask: bigint): string[] {
  return ALL_CAPABILITIES.filter((_, i) => (mask >> BigInt(i)) & 1n);
}

export function capabilitySet(opts: { capAdd?: readonly string[]; capDrop?: readonly string[]; privileged?: boolean; bounding?: readonly string[] }): string[] {
  const caps = wantedCapabilities(opts);
  return opts.bounding ? caps.filter((c) => opts.bounding!.includes(c)) : caps;
}

function wantedCapabilities(opts: { capAdd?: readonly string[]; capDrop?: readonly string[]; privileged?: boolean }): string[] {
  if (opts.privileged) return [...ALL_CAPABILITIES];
  const add = normalizeCapabilities(opts.capAdd ?? []);
  const drop = normalizeCapabilities(opts.capDrop ?? []);
  let caps: string[];
  if (add.includes('ALL')) caps = ALL_CAPABILITIES.filter((c) => !drop.includes(c));
  else if (drop.includes('ALL')) caps = add;
  else caps = [...DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c)), ...add];
  return [...new Set(caps)];
}
