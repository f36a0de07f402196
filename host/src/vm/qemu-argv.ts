// QEMU's command line as a pure function of the settings, so every accelerator and architecture
// branch is unit-tested on any host (HVF and WHPX cannot run here).
import { FW_CFG_KEY_NAME, LINK_GUEST_PORT } from '../../../protocol/src/link.ts';
import type { Accel } from './driver.ts';
import { sharesCmdline, type FileShare } from './file-shares.ts';

export type GuestArch = 'amd64' | 'arm64';

export interface QemuArgvInput {
  arch: GuestArch;
  accel: Accel;
  cpus: number;
  memoryMiB: number;
  kernel: string;
  initrd: string;
  root: string;
  dataDisk: string;
  publicKeyFile: string;
  publicKey: string;
  linkPort: number;
  qmpSocket: string;
  serialLog: string;
  pidFile: string;
  now: Date;
  /** Folders served by virtiofsd (already running, listening on each share's socket). */
  shares?: readonly FileShare[];
}

export function qemuBinary(arch: GuestArch): string {
  return arch === 'arm64' ? 'qemu-system-aarch64' : 'qemu-system-x86_64';
}

/** QEMU option values escape a comma by doubling it. */
export function optValue(v: string): string {
  return v.replaceAll(',', ',,');
}

export function accelArgs(arch: GuestArch, accel: Accel): string[] {
  switch (accel) {
    case 'kvm':
    case 'hvf':
      return ['-accel', accel, '-cpu', 'host'];
    case 'whpx':
      // WHPX's in-kernel irqchip is unreliable with Linux guests; QEMU's docs suggest this.
      return ['-accel', 'whpx,kernel-irqchip=off', '-cpu', 'max'];
    case 'tcg':
      // tb-size=64 keeps the translation cache (and QEMU's RSS) ~90 MB smaller than the default.
      return ['-accel', 'tcg,thread=multi,tb-size=64', '-cpu', arch === 'arm64' ? 'max,pauth-impdef=on' : 'max'];
  }
}

export function kernelAppend(arch: GuestArch, publicKey: string, now: Date, shares: readonly FileShare[] = []): string {
  const share = sharesCmdline(shares);
  return [
    arch === 'arm64' ? 'console=ttyAMA0' : 'console=ttyS0',
    'panic=-1',
    `berth.time=${Math.floor(now.getTime() / 1000)}`,
    // Also on the command line: guests without the qemu_fw_cfg module still get the key.
    `berth.key=${Buffer.from(publicKey.trim()).toString('base64')}`,
    ...(share ? [share] : []),
  ].join(' ');
}

/**
 * vhost-user-fs needs guest RAM that virtiofsd can map: a shared memfd backend (the same size as
 * -m), then one socket chardev and one vhost-user-fs device per folder.
 */
export function shareArgs(shares: readonly FileShare[], memoryMiB: number): { machine: string; args: string[] } {
  if (!shares.length) return { machine: '', args: [] };
  const args = ['-object', `memory-backend-memfd,id=mem,size=${memoryMiB}M,share=on`];
  shares.forEach((s, i) => {
    args.push('-chardev', `socket,id=fs${i},path=${optValue(s.socket)}`);
    args.push('-device', `vhost-user-fs-pci,chardev=fs${i},tag=${s.tag}`);
  });
  return { machine: ',memory-backend=mem', args };
}

export function qemuArgv(i: QemuArgvInput): string[] {
  const shares = shareArgs(i.shares ?? [], i.memoryMiB);
  // virt's default GICv2 stops at 8 CPUs; GICv3 ('max') takes more.
  const arm = i.cpus > 8 ? 'virt,highmem=on,gic-version=max' : 'virt,highmem=on';
  const machine = ['-machine', (i.arch === 'arm64' ? arm : 'q35') + shares.machine];
  return [
    '-name', 'berth',
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    ...machine,
    ...accelArgs(i.arch, i.accel),
    '-smp', String(i.cpus),
    '-m', String(i.memoryMiB),
    '-kernel', i.kernel,
    '-initrd', i.initrd,
    '-append', kernelAppend(i.arch, i.publicKey, i.now, i.shares),
    // vda: the read-only root; vdb: the persistent data disk (serials let the guest tell them apart).
    '-drive', `if=none,id=root,format=raw,readonly=on,file=${optValue(i.root)}`,
    '-device', 'virtio-blk-pci,drive=root,serial=berth-root',
    '-drive', `if=none,id=data,format=qcow2,discard=unmap,file=${optValue(i.dataDisk)}`,
    '-device', 'virtio-blk-pci,drive=data,serial=berth-data',
    '-fw_cfg', `name=${FW_CFG_KEY_NAME},file=${optValue(i.publicKeyFile)}`,
    '-netdev', `user,id=net0,hostfwd=tcp:127.0.0.1:${i.linkPort}-:${LINK_GUEST_PORT}`,
    '-device', 'virtio-net-pci,netdev=net0',
    '-device', 'virtio-rng-pci',
    ...shares.args,
    '-chardev', `file,id=serial0,path=${optValue(i.serialLog)}`,
    '-serial', 'chardev:serial0',
    '-qmp', `unix:${optValue(i.qmpSocket)},server=on,wait=off`,
    '-pidfile', i.pidFile,
  ];
}
