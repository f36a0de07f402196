// The VM driver seam, Lima-style: a small lifecycle interface, and what a driver can do as data
// (`features`) rather than `if (qemu)` checks elsewhere. QEMU is the one driver today; a
// Virtualization.framework or WSL2 driver would slot in beside it.
export type Accel = 'kvm' | 'tcg' | 'hvf' | 'whpx';
export type AccelChoice = Accel | 'auto';

export interface DriverFeatures {
  /** Accelerators this driver can use on this host OS, best first. */
  accelerators: Accel[];
  /** Host ports can be added while the VM runs (QMP hostfwd_add / link forwards). */
  dynamicPortForwarding: boolean;
  /** How the public key reaches the guest. */
  keyDelivery: Array<'fw_cfg' | 'cmdline'>;
  /** Whether `stop` can ask the guest to power off (ACPI) before killing it. */
  gracefulShutdown: boolean;
  /** How host folders reach the guest; empty when this host has no way. */
  fileSharing: Array<'virtiofs' | '9p'>;
}

export interface VmImage {
  kernel: string;
  initrd: string;
  root: string;
  manifest: string;
}

export interface VmConfig {
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
  accel: AccelChoice;
  image: VmImage;
  /** OpenSSH public key line the guest's link must accept. */
  publicKey: string;
  /** Host folders the guest sees at the same path. */
  sharedFolders: string[];
}

export type VmStatus =
  | { state: 'stopped' }
  | { state: 'running'; pid: number; runState: string; linkPort: number; accel: Accel; startedAt: string };

export interface StartedVm {
  pid: number;
  linkPort: number;
  accel: Accel;
  /** Resolves with QEMU's exit code (or signal) when the VM process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface VmDriver {
  readonly name: string;
  readonly features: DriverFeatures;
  /** Makes the persistent parts (data disk); grows the disk when the setting grew. */
  create(config: VmConfig): Promise<void>;
  start(config: VmConfig, log: (line: string) => void): Promise<StartedVm>;
  /** Graceful power-off, then kill after `timeoutMs`. */
  stop(timeoutMs: number): Promise<void>;
  /** Stops, then removes the disk and every piece of VM state. */
  delete(): Promise<void>;
  status(): Promise<VmStatus>;
  /**
   * Adds (on) or removes a host listener on hostIp:hostPort that forwards to the guest's port, for
   * drivers with `dynamicPortForwarding` (QEMU: user-mode network host forwards).
   */
  hostForward?(rule: { proto: 'tcp' | 'udp'; hostIp: string; hostPort: number; guestPort: number }, on: boolean): Promise<void>;
}
