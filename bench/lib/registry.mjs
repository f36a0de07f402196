// A real registry (Debian's docker-registry, distribution 2.8) on 127.0.0.1 with a config written
// here: filesystem storage in a temp dir, deletes enabled, and optionally htpasswd auth or token
// auth backed by a token server of our own (Docker's token flow, RS256 JWTs the registry verifies
// against a self-signed cert). Shared by the TS test harness (test/harness/registry.ts) and the
// pull benchmark, so there is one implementation. Plain ESM with JSDoc; types in registry.d.mts.
import { spawn } from 'node:child_process';
import { createHash, createPrivateKey, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, promises as fs } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const REGISTRY_BIN = '/usr/bin/docker-registry';
const SERVICE = 'berth-test-registry';
const ISSUER = 'berth-test-token-issuer';

/** Runs a command to completion; never rejects on a non-zero exit. */
export function exec(file, args, { env, timeoutMs = 120_000, input } = {}) {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env: env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => (stderr += String(e)));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

async function mustExec(file, args, o) {
  const r = await exec(file, args, o);
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')} failed (${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 600)}`);
  return r;
}

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const b64url = (b) => Buffer.from(b).toString('base64url');

/** libtrust's key ID: sha256 of the DER public key, first 240 bits, base32, grouped by 4 with ':'. */
export function libtrustKeyId(publicKey) {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const sum = createHash('sha256').update(der).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of sum) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g).join(':');
}

/** Signs a JWT (RS256) with the Docker registry token claims. */
export function signToken(key, kid, { subject, audience, access, ttlSec = 300 }) {
  const now = Math.floor(Date.now() / 1000);
  const header = { typ: 'JWT', alg: 'RS256', kid };
  const claims = { iss: ISSUER, sub: subject, aud: audience, exp: now + ttlSec, nbf: now - 5, iat: now, jti: randomBytes(12).toString('hex'), access };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const sig = createSign('RSA-SHA256').update(input).sign(key);
  return `${input}.${b64url(sig)}`;
}

/** Parses `repository:name:pull,push` (names may contain ':' only in the registry:port form, which scopes never do). */
function parseScope(scope) {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return null;
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter(Boolean) };
}

function basicCreds(req) {
  const h = req.headers.authorization ?? '';
  if (!h.toLowerCase().startsWith('basic ')) return null;
  const s = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
  const i = s.indexOf(':');
  return i < 0 ? null : { user: s.slice(0, i), pass: s.slice(i + 1) };
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The token server: GET realm?service&scope (Basic creds optional) and the OAuth2 POST form
 * (grant_type=password). Known users get `userActions`, anonymous callers `anonymousActions`;
 * wrong credentials get 401 like Docker Hub's auth server.
 */
async function startTokenServer({ users, userActions, anonymousActions, key, kid, log }) {
  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/token') {
        res.writeHead(404).end();
        return;
      }
      let creds = basicCreds(req);
      let scopes = url.searchParams.getAll('scope');
      let service = url.searchParams.get('service');
      if (req.method === 'POST') {
        const form = new URLSearchParams(await readBody(req));
        if (form.get('grant_type') === 'password') creds = { user: form.get('username') ?? '', pass: form.get('password') ?? '' };
        scopes = scopes.concat((form.get('scope') ?? '').split(' ').filter(Boolean));
        service = form.get('service') ?? service;
      }
      log.push({ method: req.method, user: creds?.user ?? null, service, scopes });
      if (creds && users[creds.user] !== creds.pass) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ details: 'incorrect username or password' }));
        return;
      }
      const allowed = creds ? userActions : anonymousActions;
      const access = [];
      for (const s of scopes.flatMap((x) => x.split(' '))) {
        const p = parseScope(s);
        if (!p || p.type !== 'repository') continue;
        const actions = p.actions.filter((a) => allowed.includes(a) || (a === '*' && allowed.includes('delete')));
        access.push({ type: p.type, name: p.name, actions });
      }
      const expiresIn = 300;
      const token = signToken(key, kid, { subject: creds?.user ?? '', audience: service ?? SERVICE, access, ttlSec: expiresIn });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token, access_token: token, expires_in: expiresIn, issued_at: new Date().toISOString() }));
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return server;
}

/** Key + self-signed cert (openssl) the registry trusts for token signatures. */
async function makeSigningCert(dir) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = path.join(dir, 'token.key');
  const certFile = path.join(dir, 'token.crt');
  await fs.writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  await mustExec('openssl', ['req', '-x509', '-new', '-key', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=berth-test-token-issuer'], { timeoutMs: 30_000 });
  return { key: createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })), kid: libtrustKeyId(publicKey), certFile };
}

function registryConfig({ port, storage, auth }) {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    'health:',
    '  storagedriver:',
    '    enabled: false',
  ];
  if (auth) lines.push('auth:', ...auth.map((l) => `  ${l}`));
  return lines.join('\n') + '\n';
}

async function waitV2(url, proc, logs, ms = 20_000) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`docker-registry exited (${proc.exitCode ?? proc.signalCode}): ${logs().slice(-1500)}`);
    const ok = await new Promise((resolve) => {
      const req = http.get(`${url}/v2/`, (res) => {
        res.resume();
        resolve(res.statusCode === 200 || res.statusCode === 401);
      });
      req.on('error', () => resolve(false));
      req.setTimeout(1000, () => req.destroy());
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`docker-registry did not answer /v2/ within ${ms} ms: ${logs().slice(-1500)}`);
}

/**
 * Starts docker-registry. opts.auth: 'none' (default) | 'htpasswd' | 'token'; opts.users:
 * name → password (default { berth: 'berth-pass' }); token grants: opts.userActions (default
 * pull+push+delete) for known users, opts.anonymousActions (default pull) for anonymous callers.
 */
export async function startRegistry(opts = {}) {
  const auth = opts.auth ?? 'none';
  const users = opts.users ?? { berth: 'berth-pass' };
  const dir = mkdtempSync(path.join(opts.tmpDir ?? os.tmpdir(), 'berth-registry-'));
  const storage = path.join(dir, 'storage');
  await fs.mkdir(storage);
  let tokenServer = null;
  const tokenLog = [];
  let authLines;
  if (auth === 'htpasswd') {
    const entries = [];
    for (const [u, p] of Object.entries(users)) entries.push((await mustExec('htpasswd', ['-Bbn', u, p], { timeoutMs: 30_000 })).stdout.trim());
    await fs.writeFile(path.join(dir, 'htpasswd'), entries.join('\n') + '\n');
    authLines = ['htpasswd:', '  realm: berth-test', `  path: ${path.join(dir, 'htpasswd')}`];
  } else if (auth === 'token') {
    const { key, kid, certFile } = await makeSigningCert(dir);
    tokenServer = await startTokenServer({
      users,
      userActions: opts.userActions ?? ['pull', 'push', 'delete'],
      anonymousActions: opts.anonymousActions ?? ['pull'],
      key,
      kid,
      log: tokenLog,
    });
    const realm = `http://127.0.0.1:${tokenServer.address().port}/token`;
    authLines = ['token:', `  realm: ${realm}`, `  service: ${SERVICE}`, `  issuer: ${ISSUER}`, `  rootcertbundle: ${certFile}`];
  } else if (auth !== 'none') throw new Error(`unknown registry auth ${auth}`);

  let out = '';
  let proc;
  let port;
  const logs = () => out;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    const config = path.join(dir, 'config.yml');
    await fs.writeFile(config, registryConfig({ port, storage, auth: authLines }));
    proc = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout.on('data', (b) => (out += b));
    proc.stderr.on('data', (b) => (out += b));
    try {
      await waitV2(`http://127.0.0.1:${port}`, proc, logs);
      break;
    } catch (e) {
      proc.kill('SIGKILL');
      // Another process may have taken the port between freePort() and the bind: try another.
      if (attempt < 2 && /address already in use/.test(out)) continue;
      tokenServer?.close();
      await fs.rm(dir, { recursive: true, force: true });
      throw e;
    }
  }
  const host = `127.0.0.1:${port}`;
  let stopped = false;
  return {
    host,
    url: `http://${host}`,
    dir,
    storage,
    auth,
    users,
    tokenRealm: tokenServer ? `http://127.0.0.1:${tokenServer.address().port}/token` : null,
    tokenLog,
    pid: proc.pid,
    logs,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        if (!(await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]))) {
          proc.kill('SIGKILL');
          await exited;
        }
      }
      if (tokenServer) {
        tokenServer.closeAllConnections?.();
        await new Promise((r) => tokenServer.close(r));
      }
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Copies a docker-archive into the registry with skopeo (plain http: tls-verify off).
 * creds: 'user:pass', or omitted for an anonymous push. Throws with skopeo's message on failure.
 */
export async function pushFixture(host, tarPath, repoTag, { creds, timeoutMs = 300_000 } = {}) {
  const args = ['--insecure-policy', 'copy', '--quiet', '--dest-tls-verify=false'];
  args.push(...(creds ? ['--dest-creds', creds] : ['--dest-no-creds']));
  args.push(`docker-archive:${tarPath}`, `docker://${host}/${repoTag}`);
  const r = await exec('skopeo', args, { timeoutMs });
  if (r.code !== 0) throw new Error(`skopeo copy ${tarPath} → ${host}/${repoTag} failed: ${(r.stderr || r.stdout).trim().slice(0, 800)}`);
  return r;
}
