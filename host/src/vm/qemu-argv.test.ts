import { describe, expect, it } from 'vitest';
import { accelArgs, kernelAppend, optValue, qemuArgv, qemuBinary, type QemuArgvInput } from './qemu-argv.ts';

const base: QemuArgvInput = {
  arch: 'amd64', accel: 'tcg', cpus: 2, memoryMiB: 2048, kernel: '/img/vmlinuz', initrd: '/img/initrd.img', root: '/img/root.erofs',
  dataDisk: '/h/vm/data.qcow2', publicKeyFile: '/h/vm/authorized_key', publicKey: 'ssh-ed25519 AAAA berth-host', linkPort: 40123,
  qmpSocket: '/h/vm/qmp.sock', serialLog: '/h/logs/serial.log', pidFile: '/h/vm/qemu.pid', now: new Date('2030-01-02T03:04:05Z'),
};
const after = (argv: string[], flag: string) => argv.filter((_, i) => argv[i - 1] === flag);

describe('QEMU argv', () => {
  it('uses TCG with multi-threading, a small translation cache and -cpu max', () => {
    expect(accelArgs('amd64', 'tcg')).toEqual(['-accel', 'tcg,thread=multi,tb-size=64', '-cpu', 'max']);
    expect(accelArgs('arm64', 'tcg')).toEqual(['-accel', 'tcg,thread=multi,tb-size=64', '-cpu', 'max,pauth-impdef=on']);
  });

  it('branches per accelerator: KVM and HVF pass the host CPU through, WHPX without the kernel irqchip', () => {
    expect(accelArgs('amd64', 'kvm')).toEqual(['-accel', 'kvm', '-cpu', 'host']);
    expect(accelArgs('arm64', 'hvf')).toEqual(['-accel', 'hvf', '-cpu', 'host']);
    expect(accelArgs('amd64', 'whpx')).toEqual(['-accel', 'whpx,kernel-irqchip=off', '-cpu', 'max']);
  });

  it('picks the binary, machine and console per architecture', () => {
    expect(qemuBinary('amd64')).toBe('qemu-system-x86_64');
    expect(qemuBinary('arm64')).toBe('qemu-system-aarch64');
    expect(after(qemuArgv(base), '-machine')).toEqual(['q35']);
    expect(after(qemuArgv({ ...base, arch: 'arm64' }), '-machine')).toEqual(['virt,highmem=on']);
    expect(after(qemuArgv({ ...base, arch: 'arm64', cpus: 12 }), '-machine')).toEqual(['virt,highmem=on,gic-version=max']);
    expect(kernelAppend('arm64', 'k', base.now)).toMatch(/^console=ttyAMA0 /);
  });

  it('sizes the VM, boots the image with the key, time and a read-only root, and wires control', () => {
    const argv = qemuArgv(base);
    expect(after(argv, '-smp')).toEqual(['2']);
    expect(after(argv, '-m')).toEqual(['2048']);
    expect(after(argv, '-kernel')).toEqual(['/img/vmlinuz']);
    expect(after(argv, '-initrd')).toEqual(['/img/initrd.img']);
    const append = after(argv, '-append')[0];
    expect(append).toContain('console=ttyS0');
    expect(append).toContain(`berth.time=${Date.parse('2030-01-02T03:04:05Z') / 1000}`);
    expect(Buffer.from(/berth\.key=(\S+)/.exec(append)![1], 'base64').toString()).toBe(base.publicKey);
    expect(after(argv, '-drive')).toEqual([
      'if=none,id=root,format=raw,readonly=on,file=/img/root.erofs',
      'if=none,id=data,format=qcow2,discard=unmap,file=/h/vm/data.qcow2',
    ]);
    expect(after(argv, '-fw_cfg')).toEqual(['name=opt/berth/key,file=/h/vm/authorized_key']);
    expect(after(argv, '-netdev')).toEqual(['user,id=net0,hostfwd=tcp:127.0.0.1:40123-:2222']);
    expect(after(argv, '-qmp')).toEqual(['unix:/h/vm/qmp.sock,server=on,wait=off']);
    expect(after(argv, '-chardev')).toEqual(['file,id=serial0,path=/h/logs/serial.log']);
    expect(after(argv, '-pidfile')).toEqual(['/h/vm/qemu.pid']);
    expect(argv).toContain('-no-reboot');
  });

  it('escapes commas in paths inside option values', () => {
    expect(optValue('/a,b/c')).toBe('/a,,b/c');
    expect(after(qemuArgv({ ...base, dataDisk: '/x,y/d.qcow2' }), '-drive')[1]).toMatch(/file=\/x,,y\/d\.qcow2$/);
  });

  it('shares folders over vhost-user-fs with a shared memfd backing the whole of RAM', () => {
    const shares = [{ tag: 'berth0', hostPath: '/home/me', socket: '/h/vm/fs0.sock' }, { tag: 'berth1', hostPath: '/srv/a,b', socket: '/h/vm/fs1.sock' }];
    const argv = qemuArgv({ ...base, shares });
    expect(after(argv, '-machine')).toEqual(['q35,memory-backend=mem']);
    expect(after(argv, '-object')).toEqual(['memory-backend-memfd,id=mem,size=2048M,share=on']);
    expect(after(argv, '-chardev').filter((c) => c.startsWith('socket'))).toEqual(['socket,id=fs0,path=/h/vm/fs0.sock', 'socket,id=fs1,path=/h/vm/fs1.sock']);
    expect(after(argv, '-device').filter((d) => d.startsWith('vhost-user-fs'))).toEqual(['vhost-user-fs-pci,chardev=fs0,tag=berth0', 'vhost-user-fs-pci,chardev=fs1,tag=berth1']);
    expect(after(argv, '-append')[0]).toMatch(/ berth\.shares=\S+$/);
    expect(after(qemuArgv({ ...base, arch: 'arm64', shares }), '-machine')).toEqual(['virt,highmem=on,memory-backend=mem']);
    // Without shares, guest RAM stays private (no memfd object).
    expect(after(qemuArgv(base), '-object')).toEqual([]);
  });
});
