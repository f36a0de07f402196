// `docker import --change` / `docker commit --change`: Dockerfile instructions applied to an image
// config (the OCI config's own PascalCase fields, since the config is stored verbatim).
import { invalid } from '../errors.ts';
import type { OciContainerConfig } from './oci-types.ts';

const allowed = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'];

/** JSON array form if the text is one, else undefined. */
function jsonArray(text: string): string[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Splits `a=1 "b c"=2 d='x y'` into words, honouring quotes and backslash escapes. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw invalid(`unexpected end of statement while looking for matching ${quote}`);
  if (inWord) words.push(cur);
  return words;
}

/** `k=v k2=v2` pairs, or the legacy `k v with spaces` single pair. */
function keyValues(args: string, what: string): Array<[string, string]> {
  const words = splitWords(args);
  if (words.length === 0) throw invalid(`${what} requires at least one argument`);
  if (!words[0].includes('=')) {
    const m = /^(\S+)\s+(.*)$/s.exec(args.trim());
    if (!m) throw invalid(`${what} must have two arguments`);
    return [[m[1], splitWords(m[2]).join(' ')]];
  }
  return words.map((w) => {
    const i = w.indexOf('=');
    if (i <= 0) throw invalid(`${what} names can not be blank`);
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

/** Applies each change line to `config` (mutating it) and returns it. */
export function applyChanges(config: OciContainerConfig, changes: string[]): OciContainerConfig {
  for (const line of changes) {
    const m = /^\s*(\S+)\s*(.*?)\s*$/s.exec(line);
    if (!m) continue;
    const instr = m[1].toUpperCase();
    const args = m[2];
    if (!allowed.includes(instr)) throw invalid(`${m[1]} is not a valid change command`);
    applyOne(config, instr, args);
  }
  return config;
}

function applyOne(config: OciContainerConfig, instr: string, args: string): void {
  switch (instr) {
    case 'CMD':
    case 'ENTRYPOINT': {
      const argv = jsonArray(args) ?? (args === '' ? [] : ['/bin/sh', '-c', args]);
      if (instr === 'CMD') config.Cmd = argv;
      else {
        config.Entrypoint = argv;
        config.Cmd = null; // Docker: a new ENTRYPOINT resets an inherited CMD
      }
      return;
    }
    case 'ENV': {
      const env = config.Env ?? [];
      for (const [k, v] of keyValues(args, 'ENV')) {
        const i = env.findIndex((e) => e.split('=')[0] === k);
        if (i >= 0) env[i] = `${k}=${v}`;
        else env.push(`${k}=${v}`);
      }
      config.Env = env;
      return;
    }
    case 'LABEL':
      config.Labels = { ...config.Labels, ...Object.fromEntries(keyValues(args, 'LABEL')) };
      return;
    case 'EXPOSE': {
      const ports: Record<string, object> = { ...config.ExposedPorts };
      for (const p of splitWords(args)) {
        if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p)) throw invalid(`invalid containerPort: ${p}`);
        ports[p.includes('/') ? p.toLowerCase() : `${p}/tcp`] = {};
      }
      config.ExposedPorts = ports;
      return;
    }
    case 'VOLUME': {
      const vols: Record<string, object> = { ...config.Volumes };
      for (const v of jsonArray(args) ?? splitWords(args)) vols[v] = {};
      config.Volumes = vols;
      return;
    }
    case 'WORKDIR':
      config.WorkingDir = args;
      return;
    case 'USER':
      config.User = args;
      return;
    case 'STOPSIGNAL':
      config.StopSignal = args;
      return;
    case 'ONBUILD':
      config.OnBuild = [...(config.OnBuild ?? []), args];
      return;
    case 'HEALTHCHECK':
      throw invalid('HEALTHCHECK is not supported in --change yet');
  }
}
