// Every file the VM side keeps under BERTH_HOME (settings/berth-home.ts says where that is),
// named in one place.
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { berthHome } from '../settings/berth-home.ts';

export class BerthPaths {
  readonly dir: string;

  constructor(dir = berthHome()) {
    this.dir = path.resolve(dir);
  }

  /** Creates the folder 0700 (and tightens it if it already existed looser). */
  ensure(): this {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    mkdirSync(this.logsDir, { recursive: true, mode: 0o700 });
    return this;
  }

  private p(name: string): string {
    return path.join(this.dir, name);
  }

  get dockerSocket() { return this.p('docker.sock'); }
  get privateKey() { return this.p('link_ed25519'); }
  get publicKey() { return this.p('link_ed25519.pub'); }
  get knownHost() { return this.p('link_known_host'); }
  get logsDir() { return this.p('logs'); }
  get serialLog() { return path.join(this.logsDir, 'serial.log'); }
  get hostAgentLog() { return path.join(this.logsDir, 'hostagent.log'); }
  get hostAgentEvents() { return path.join(this.logsDir, 'hostagent.events.jsonl'); }
  get hostAgentPid() { return this.p('hostagent.pid'); }
  get vmDir() { return this.p('vm'); }
  get qmpSocket() { return path.join(this.vmDir, 'qmp.sock'); }
  get qemuPid() { return path.join(this.vmDir, 'qemu.pid'); }
  get dataDisk() { return path.join(this.vmDir, 'data.qcow2'); }
  get vmState() { return path.join(this.vmDir, 'state.json'); }
  get accelCache() { return this.p('accel.json'); }
  get startLock() { return this.p('start.lock'); }
  get settings() { return this.p('settings.json'); }
}
