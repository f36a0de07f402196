// The guest's link service: an SSH server that accepts only the host's key and offers
// direct-streamlocal (the engine socket), direct-tcpip (published ports) and sessions (shell, exec).
import net from 'node:net';
import ssh2, { type Connection, type ServerChannel } from 'ssh2';
import { authenticate } from './key-auth.ts';
import { handleSession } from './link-session.ts';

export interface LinkServerOptions {
  hostKey: string;
  authorizedKeyFile: string;
  engineSocket: string;
  shell?: string;
  log?: (line: string) => void;
}

export class LinkServer {
  private readonly server: ssh2.Server;
  private readonly clients = new Set<Connection>();

  constructor(private readonly opts: LinkServerOptions) {
    this.server = new ssh2.Server({ hostKeys: [opts.hostKey] }, (client) => this.onClient(client));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  close(): Promise<void> {
    for (const c of this.clients) c.end();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private onClient(client: Connection): void {
    const log = this.opts.log ?? (() => {});
    this.clients.add(client);
    client.on('close', () => this.clients.delete(client));
    client.on('error', (err) => log(`client error: ${err.message}`));
    client.on('authentication', (ctx) => authenticate(ctx, this.opts.authorizedKeyFile));
    client.on('ready', () => {
      client.on('session', (accept) => handleSession(accept(), { engineSocket: this.opts.engineSocket, shell: this.opts.shell ?? '/bin/sh' }));
      client.on('openssh.streamlocal', (accept, reject, info) => {
        // allowHalfOpen: a client's EOF must not end the engine's answer (hijacked streams).
        pipeTo(net.connect({ path: info.socketPath, allowHalfOpen: true }), accept, reject);
      });
      client.on('tcpip', (accept, reject, info) => {
        pipeTo(net.connect({ port: info.destPort, host: info.destIP, allowHalfOpen: true }), accept, reject);
      });
    });
  }
}

/** Opens the channel only once the target answers, so the host sees a refused connection as one. */
function pipeTo(target: net.Socket, accept: () => ServerChannel, reject: () => void): void {
  target.once('error', () => reject());
  target.once('connect', () => {
    target.removeAllListeners('error');
    const channel = accept();
    target.on('error', () => channel.destroy());
    channel.on('error', () => target.destroy());
    target.pipe(channel).pipe(target);
  });
}
