// Docker image references (distribution/reference): parsing, normalization to the fully
// qualified form, and the "familiar" short form Docker shows (`busybox:latest`). Error texts
// match Docker's because clients print them verbatim.
import { invalid } from '../errors.ts';

export interface Reference {
  /** Registry host, e.g. `docker.io`, `localhost:5000`. */
  domain: string;
  /** Repository path inside the registry, e.g. `library/busybox`. */
  path: string;
  tag?: string;
  digest?: string;
}

const alnum = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainRe = `(?:${domainComponent}(?:\\.${domainComponent})*|${ipv6})(?::[0-9]+)?`;
const tagRe = '[\\w][\\w.-]{0,127}';
const digestRe = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const fullRe = new RegExp(
  `^((?:${domainRe}/)?${pathComponent}(?:/${pathComponent})*)(?::(${tagRe}))?(?:@(${digestRe}))?$`,
);
const domainOnlyRe = new RegExp(`^${domainRe}$`);
const hex64 = /^[a-f0-9]{64}$/;

export const defaultDomain = 'docker.io';
const legacyDomain = 'index.docker.io';
const officialPrefix = 'library/';
const nameMaxLength = 255;

const formatError = () => invalid('invalid reference format');

/** Docker's splitDockerDomain: the first component is a registry only if it looks like a host. */
function splitDomain(name: string): { domain: string; remainder: string } {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = name.slice(0, i);
  if (i === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = defaultDomain;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === legacyDomain) domain = defaultDomain;
  if (domain === defaultDomain && !remainder.includes('/')) remainder = officialPrefix + remainder;
  return { domain, remainder };
}

/** ParseNormalizedNamed: `busybox` → docker.io/library/busybox (no tag added). */
export function parseReference(s: string): Reference {
  if (hex64.test(s)) {
    throw invalid(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDomain(s);
  const tagSep = remainder.indexOf(':');
  const remoteName = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  if (remoteName.toLowerCase() !== remoteName) {
    throw invalid(`invalid reference format: repository name (${remoteName}) must be lowercase`);
  }
  const m = fullRe.exec(`${domain}/${remainder}`);
  if (!m) throw formatError();
  const name = m[1];
  if (name.length > nameMaxLength) throw invalid(`invalid reference format: repository name must not be more than ${nameMaxLength} characters`);
  const slash = name.indexOf('/');
  const ref: Reference = { domain: name.slice(0, slash), path: name.slice(slash + 1) };
  if (!domainOnlyRe.test(ref.domain)) throw formatError();
  if (m[2] !== undefined) ref.tag = m[2];
  if (m[3] !== undefined) {
    if (m[3].startsWith('sha256:') && !/^sha256:[a-f0-9]{64}$/.test(m[3])) throw invalid('invalid checksum digest format');
    ref.digest = m[3];
  }
  return ref;
}

/** True when the string is a syntactically valid reference (no throw). */
export function isValidReference(s: string): boolean {
  try {
    parseReference(s);
    return true;
  } catch {
    return false;
  }
}

/** `docker.io/library/busybox` */
export function repositoryName(ref: Reference): string {
  return `${ref.domain}/${ref.path}`;
}

/** Familiar repository: `busybox`, `me/app`, `localhost:5000/a/b`. */
export function familiarName(ref: Reference): string {
  if (ref.domain !== defaultDomain) return repositoryName(ref);
  return ref.path.startsWith(officialPrefix) && ref.path.split('/').length === 2
    ? ref.path.slice(officialPrefix.length)
    : ref.path;
}

/** Adds `latest` when the reference has neither tag nor digest (TagNameOnly). */
export function withDefaultTag(ref: Reference): Reference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: 'latest' } : ref;
}

/** Familiar string with whatever tag/digest the reference carries: `busybox:latest`, `a/b@sha256:…`. */
export function familiarString(ref: Reference): string {
  return familiarName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

/** Fully qualified string: `docker.io/library/busybox:latest`. */
export function fullString(ref: Reference): string {
  return repositoryName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

/** `busybox` → `busybox:latest`; `docker.io/library/busybox:1` → `busybox:1`. Throws on bad input. */
export function normalizeTagged(s: string): string {
  return familiarString(withDefaultTag(parseReference(s)));
}
