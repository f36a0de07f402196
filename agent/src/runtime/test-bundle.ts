// Test support (used only by *.test.ts): a busybox rootfs + OCI bundle in a temp dir, a shim
// bundled from source, and cleanup of everything a test container leaves behind.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { build } from 'esbuild';
import { buildSpec, type SpecInput } from './oci-spec.ts';
import { OciRuntime } from './oci-runtime.ts';
import { removeCgroup } from '../cgroups/cgroup-cleanup.ts';
import { probeCgroups, type CgroupVersion } from '../cgroups/cgroup-probe.ts';
import { hostLimits } from '../sys/host-limits.ts';

const APPLETS = ['tr', 'touch', 'sh', 'echo', 'sleep', 'cat', 'true', 'false', 'id', 'hostname', 'ps', 'tty', 'stty', 'head', 'tail', 'kill', 'ls'];

export interface TestBundle {
  id: string;
  dir: string;
  rootfs: string;
  cgroupsPath: string;
  cgroupVersion: CgroupVersion;
  runtime: OciRuntime;
  cleanup(): Promise<void>;
}

export async function makeBundle(args: string[], over: Partial<SpecInput> = {}): Promise<TestBundle> {
  const id = `berth-test-${randomBytes(5).toString('hex')}`;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-bundle-'));
  const rootfs = path.join(dir, 'rootfs');
  await fs.mkdir(path.join(rootfs, 'bin'), { recursive: true });
  await fs.mkdir(path.join(rootfs, 'etc'));
  await fs.copyFile('/bin/busybox', path.join(rootfs, 'bin/busybox'));
  await fs.chmod(path.join(rootfs, 'bin/busybox'), 0o755);
  for (const a of APPLETS) await fs.symlink('busybox', path.join(rootfs, 'bin', a));
  const cg = await probeCgroups();
  const cgroupsPath = `/berth-test/${id}`;
  const spec = buildSpec({
    rootfs, readonlyRootfs: false, args, env: ['PATH=/bin', 'TERM=xterm'], cwd: '/', tty: false, openStdin: false,
    user: { uid: 0, gid: 0, additionalGids: [] }, hostname: 'testbox', capAdd: [], capDrop: [], privileged: false,
    network: { mode: 'none' }, mounts: [], cgroupsPath, resources: {}, rlimits: await hostLimits(), ...over,
  });
  await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify(spec));
  const runtime = await OciRuntime.probe(path.join(dir, 'runtime-root'));
  return {
    id, dir, rootfs, cgroupsPath, cgroupVersion: cg.version, runtime,
    async cleanup() {
      await runtime.kill(id, 'KILL').catch(() => undefined);
      // A shim finishes (exit.json, socket removal) right after its container dies: let it.
      for (let i = 0; i < 150 && (await fs.access(path.join(dir, 'shim.sock')).then(() => true, () => false)); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await runtime.delete(id, true).catch(() => undefined);
      await removeCgroup(cgroupsPath, cg.version);
      await removeCgroup('/berth-test', cg.version).catch(() => undefined);
      await fs.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    },
  };
}

let shimScript: Promise<string> | undefined;

/**
 * Bundles shim/main.ts like scripts/build.mjs does, once per test process. The output lives under
 * node_modules/.cache so node-pty resolves from it and no temp dir is left behind.
 */
export function buildTestShim(): Promise<string> {
  shimScript ??= (async () => {
    const file = path.join(import.meta.dirname, '../../../node_modules/.cache/berth-test-shim', `shim-${process.pid}.mjs`);
    await build({
      entryPoints: [path.join(import.meta.dirname, '../shim/main.ts')], outfile: file, bundle: true, platform: 'node',
      target: 'node20', format: 'esm', external: ['node-pty'], logLevel: 'warning',
      banner: { js: "import { createRequire as __berthRequire } from 'node:module'; const require = __berthRequire(import.meta.url);" },
    });
    return file;
  })();
  return shimScript;
}

/** Removes the bundle made by buildTestShim (call from afterAll). */
export async function removeTestShim(): Promise<void> {
  if (shimScript) await fs.rm(await shimScript, { force: true });
  shimScript = undefined;
}
