// Small helpers berth-init runs on the guest's Node (Debian 12's 18.x: nothing newer than that).
//   node guest-util.mjs ping SOCKET [TIMEOUT_MS]        exit 0 once GET /_ping on SOCKET answers OK
//   node guest-util.mjs tcp-proxy HOST:PORT SOCKET      forward TCP connections to the unix SOCKET
//                                                       (debug/smoke only: berth.debugtcp=1); also
//                                                       prints BERTH-READY to the console once the
//                                                       engine answers /_ping
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const [cmd, ...args] = process.argv.slice(2);

function pingOnce(socketPath) {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

if (cmd === 'ping') {
  const [socketPath, timeout = '30000'] = args;
  const deadline = Date.now() + Number(timeout);
  for (;;) {
    if (await pingOnce(socketPath)) process.exit(0);
    if (Date.now() > deadline) process.exit(1);
    await new Promise((r) => setTimeout(r, 50));
  }
} else if (cmd === 'tcp-proxy') {
  const [listen, socketPath] = args;
  const at = listen.lastIndexOf(':');
  // allowHalfOpen on both legs: the docker CLI half-closes hijacked attach streams (CloseWrite)
  // and still reads the output; a proxy that closed on the first FIN would cut the stream.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ path: socketPath, allowHalfOpen: true });
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  server.listen(Number(listen.slice(at + 1)), listen.slice(0, at), () => {
    process.stderr.write(`tcp-proxy: ${listen} -> ${socketPath}\n`);
  });
  const t0 = Date.now();
  for (;;) {
    if (await pingOnce(socketPath)) {
      const up = fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0];
      fs.appendFileSync('/dev/console', `BERTH-READY t=${up}s socket=${socketPath} (pinged)\n`);
      break;
    }
    if (Date.now() - t0 > 180000) break;
    await new Promise((r) => setTimeout(r, 50));
  }
} else {
  process.stderr.write('usage: guest-util.mjs ping SOCKET [TIMEOUT_MS] | tcp-proxy HOST:PORT SOCKET\n');
  process.exit(2);
}
