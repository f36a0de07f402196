// docker create: validate everything first, then make the container's directory, its writable
// layer and its anonymous volumes. Nothing is persisted until every check has passed, and a
// failure after that point removes what was made, so a bad request leaves no trace.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { containerPaths } from './container-paths.ts';
import { randomBytes } from 'node:crypto';
import { invalid } from '../errors.ts';
import { parsePortSpecs } from '../network/port-spec.ts';
import type { EngineContext } from './context.ts';
import { emptyState, type ContainerRecord, type ContainerSpec, type MountSpec } from './types.ts';
import { randomName } from './random-name.ts';

const MIN_MEMORY = 6 * 1024 * 1024;

export async function createContainer(ctx: EngineContext, spec: ContainerSpec): Promise<ContainerRecord> {
  const image = ctx.images.get(spec.image);
  validateHost(spec);
  const name = spec.name
    ? ctx.containers.checkName(spec.name)
    : randomName((n) => ctx.containers.tryGet(n) !== undefined);
  const cfg = image.config.config ?? {};
  const entrypoint = spec.entrypoint ?? cfg.Entrypoint ?? [];
  const cmd = spec.cmd ?? (spec.entrypoint ? [] : (cfg.Cmd ?? []));
  const argv = [...entrypoint, ...cmd];
  if (argv.length === 0) throw invalid('no command specified');

  const id = randomBytes(32).toString('hex');
  const rec: ContainerRecord = {
    id,
    name,
    created: new Date().toISOString(),
    imageId: image.id,
    path: argv[0],
    args: argv.slice(1),
    spec: {
      ...spec,
      entrypoint,
      cmd,
      hostname: spec.hostname || id.slice(0, 12),
      env: mergeEnv(cfg.Env ?? [], spec.env),
      workingDir: spec.workingDir || cfg.WorkingDir || '/',
      user: spec.user || cfg.User || '',
      labels: { ...(cfg.Labels ?? {}), ...spec.labels },
      stopSignal: spec.stopSignal || cfg.StopSignal || 'SIGTERM',
      exposedPorts: [...new Set([...Object.keys(cfg.ExposedPorts ?? {}), ...spec.exposedPorts])],
      volumes: [...new Set([...Object.keys(cfg.Volumes ?? {}), ...spec.volumes])],
    },
    mounts: [],
    state: emptyState(),
  };
  const dir = ctx.containers.dir(id);
  const made: string[] = [];
  try {
    rec.mounts = await resolveMounts(ctx, rec, made);
    await ctx.snapshots.prepareContainer(dir, ctx.images.lowerDirs(image));
    // The log exists from the start, so an attach made before start never has to wait for it.
    await fs.writeFile(containerPaths(ctx, id).log, '', { flag: 'a', mode: 0o640 });
    await ctx.containers.save(rec);
  } catch (e) {
    for (const v of made) await ctx.volumes.remove(v, { force: true, usedBy: () => [] }).catch(() => undefined);
    await ctx.containers.remove(id).catch(() => undefined);
    throw e;
  }
  ctx.events.emit('container', 'create', id, { image: spec.image, name, ...rec.spec.labels });
  return rec;
}

function mergeEnv(imageEnv: string[], env: string[]): string[] {
  const out = new Map<string, string>();
  for (const kv of [...imageEnv, ...env]) out.set(kv.split('=')[0], kv);
  return [...out.values()];
}

function validateHost(spec: ContainerSpec): void {
  const h = spec.host;
  if (h.memory && h.memory < MIN_MEMORY) throw invalid('Minimum memory limit allowed is 6MB');
  if (h.memorySwap > 0 && h.memory && h.memorySwap < h.memory) {
    throw invalid('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (h.nanoCpus < 0) throw invalid('Range of CPUs is from 0.01 to the number of CPUs available');
  if (h.restartPolicy.name !== 'on-failure' && h.restartPolicy.maximumRetryCount > 0) {
    throw invalid(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  }
  if (h.autoRemove && h.restartPolicy.name !== 'no') {
    throw invalid("conflicting options: cannot specify both --restart and --rm");
  }
  parsePortSpecs(h.portBindings);
  for (const m of h.mounts) {
    if (!path.isAbsolute(m.target)) throw invalid(`invalid mount config for type "${m.type}": invalid mount path: '${m.target}' mount path must be absolute`);
    if (m.type === 'bind' && !path.isAbsolute(m.source)) {
      throw invalid(`invalid mount config for type "bind": invalid mount path: '${m.source}' mount path must be absolute`);
    }
  }
  const targets = h.mounts.map((m) => path.posix.normalize(m.target));
  const dup = targets.find((t, i) => targets.indexOf(t) !== i);
  if (dup) throw invalid(`Duplicate mount point: ${dup}`);
}

/** Volumes by name (created when missing, as Docker does), anonymous ones for image VOLUMEs. */
async function resolveMounts(ctx: EngineContext, rec: ContainerRecord, made: string[]) {
  const out: ContainerRecord['mounts'] = [];
  const wanted: MountSpec[] = [...rec.spec.host.mounts];
  for (const v of rec.spec.volumes) {
    if (!wanted.some((m) => path.posix.normalize(m.target) === path.posix.normalize(v))) {
      wanted.push({ type: 'volume', source: '', target: v, readOnly: false, options: [], anonymous: true });
    }
  }
  for (const m of wanted) {
    if (m.type === 'bind') {
      out.push({ ...m, hostPath: m.source });
    } else if (m.type === 'tmpfs') {
      out.push({ ...m, hostPath: '' });
    } else {
      const existing = m.source ? ctx.volumes.tryGet(m.source) : undefined;
      const vol = existing ?? (await ctx.volumes.create({ name: m.source || undefined, anonymous: !m.source }));
      if (!existing) made.push(vol.name);
      out.push({ ...m, source: vol.name, anonymous: !m.source, hostPath: vol.mountpoint });
    }
  }
  return out;
}
