// Types for registry.mjs (imported by test/harness/registry.ts).
import type { KeyObject } from 'node:crypto';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RegistryOptions {
  auth?: 'none' | 'htpasswd' | 'token';
  /** name → password; default { berth: 'berth-pass' }. */
  users?: Record<string, string>;
  /** Token auth: actions granted to known users (default pull, push, delete). */
  userActions?: string[];
  /** Token auth: actions granted to anonymous callers (default pull). */
  anonymousActions?: string[];
  /** Parent for the temp dir (default os.tmpdir()). */
  tmpDir?: string;
}

export interface TokenRequest {
  method: string;
  user: string | null;
  service: string | null;
  scopes: string[];
}

export interface RegistryHandle {
  /** '127.0.0.1:PORT' */
  host: string;
  /** 'http://127.0.0.1:PORT' */
  url: string;
  dir: string;
  storage: string;
  auth: 'none' | 'htpasswd' | 'token';
  users: Record<string, string>;
  tokenRealm: string | null;
  /** Every request the token server answered, in order. */
  tokenLog: TokenRequest[];
  pid: number;
  logs: () => string;
  stop: () => Promise<void>;
}

export const REGISTRY_BIN: string;
export function exec(file: string, args: string[], opts?: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string | Buffer }): Promise<ExecResult>;
export function freePort(): Promise<number>;
export function libtrustKeyId(publicKey: KeyObject): string;
export function signToken(key: KeyObject, kid: string, claims: { subject: string; audience: string; access: Array<{ type: string; name: string; actions: string[] }>; ttlSec?: number }): string;
export function startRegistry(opts?: RegistryOptions): Promise<RegistryHandle>;
export function pushFixture(host: string, tarPath: string, repoTag: string, opts?: { creds?: string; timeoutMs?: number }): Promise<ExecResult>;
