// Platforms (os/architecture/variant) as containerd normalises and matches them, for choosing
// a manifest out of an index / manifest list.
import { invalid } from '../../errors.ts';
import { goArch } from '../oci-types.ts';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const archAliases: Record<string, { architecture: string; variant?: string }> = {
  x86_64: { architecture: 'amd64' },
  'x86-64': { architecture: 'amd64' },
  aarch64: { architecture: 'arm64' },
  armhf: { architecture: 'arm', variant: 'v7' },
  armel: { architecture: 'arm', variant: 'v6' },
  i386: { architecture: '386' },
};

/** containerd's Normalize: arch aliases, arm's default variant v7, arm64's v8 dropped. */
export function normalizePlatform(p: Platform): Platform {
  const os = p.os.toLowerCase();
  let architecture = p.architecture.toLowerCase();
  let variant = p.variant?.toLowerCase() || undefined;
  const alias = archAliases[architecture];
  if (alias) {
    architecture = alias.architecture;
    variant = variant ?? alias.variant;
  }
  if (architecture === 'arm64' && (variant === 'v8' || variant === '8')) variant = undefined;
  if (architecture === 'arm') variant = variant === undefined ? 'v7' : variant.startsWith('v') ? variant : `v${variant}`;
  if (architecture === 'amd64' && variant === 'v1') variant = undefined;
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/** `linux/arm64/v8`, `linux/amd64`, or a bare `arm64` (os = linux). */
export function parsePlatform(s: string): Platform {
  const parts = s.trim().split('/');
  if (parts.some((x) => x === '') || parts.length > 3) throw invalid(`"${s}": unknown operating system or architecture: invalid argument`);
  if (parts.length === 1) return normalizePlatform({ os: 'linux', architecture: parts[0] });
  return normalizePlatform({ os: parts[0], architecture: parts[1], variant: parts[2] });
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** The engine's own platform: linux plus Node's arch in Go's names (and arm's variant). */
export function hostPlatform(): Platform {
  const arch = goArch();
  const armVersion = (process.config.variables as Record<string, unknown>).arm_version;
  return normalizePlatform({ os: 'linux', architecture: arch, variant: arch === 'arm' && armVersion ? `v${String(armVersion)}` : undefined });
}

/**
 * Variants `want` can run, best first (containerd's platform vectors): arm v7 runs v6 and v5
 * images; amd64 v3 runs v2 and v1.
 */
function acceptableVariants(want: Platform): Array<string | undefined> {
  const v = want.variant;
  if (want.architecture === 'arm') {
    const n = Number(v?.slice(1) ?? 7);
    return Array.from({ length: Math.max(0, n - 4) }, (_, i) => `v${n - i}`);
  }
  if (want.architecture === 'amd64' && v) {
    const n = Number(v.slice(1));
    return [...Array.from({ length: Math.max(0, n - 1) }, (_, i) => `v${n - i}`), undefined];
  }
  return [v];
}

/** Picks the best entry of an index for `want`; undefined when none fits. */
export function selectPlatform<T extends { platform?: { os?: string; architecture?: string; variant?: string } } | { platform?: undefined }>(entries: T[], want: Platform): T | undefined {
  const target = normalizePlatform(want);
  const variants = acceptableVariants(target);
  let best: { entry: T; rank: number } | undefined;
  for (const entry of entries) {
    if (!entry.platform?.os || !entry.platform.architecture) continue;
    const p = normalizePlatform({ os: entry.platform.os, architecture: entry.platform.architecture, variant: entry.platform.variant });
    if (p.os !== target.os || p.architecture !== target.architecture) continue;
    const rank = variants.indexOf(p.variant);
    if (rank === -1) continue;
    if (!best || rank < best.rank) best = { entry, rank };
  }
  return best?.entry;
}

/** Whether an image config's platform is what was asked for (used when pulling a single manifest). */
export function platformMatches(config: { os?: string; architecture?: string; variant?: string }, want: Platform): boolean {
  if (!config.os || !config.architecture) return true;
  return selectPlatform([{ platform: config }], want) !== undefined;
}
