// One accepted client socket joined to a stream into the guest (a link channel), both ways, with
// the closing order that keeps the last bytes: shared by docker.sock and published TCP ports.
import type net from 'node:net';
import type { Duplex } from 'node:stream';

/** Holds the client's bytes until `remote` opens; on failure the client is dropped and onError told. */
export function spliceWhenOpen(sock: net.Socket, remote: Promise<Duplex>, onError: (err: Error) => void): void {
  sock.on('error', () => {});
  sock.pause();
  remote.then((ch) => {
    ch.on('error', () => sock.destroy());
    sock.on('close', () => ch.destroy());
    // end(), not destroy(): bytes the channel delivered just before closing are still being
    // written to the client (a short `docker exec` answer would otherwise be lost).
    ch.on('close', () => sock.end());
    sock.pipe(ch).pipe(sock);
    sock.resume();
  }, (err: Error) => {
    onError(err);
    sock.destroy();
  });
}
