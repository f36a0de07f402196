// One repository on one registry, as the distribution API sees it: picks the endpoint (https,
// then http for insecure registries), authenticates on demand (Bearer token or Basic) and turns
// registry error bodies into the messages Docker prints.
import { EngineError, unauthorized } from '../../errors.ts';
import { parseWwwAuthenticate, repositoryScope, type AuthChallenge } from './auth-challenge.ts';
import { httpRequest, isNetworkError, readBody, type HttpRequest, type HttpResponse } from './http-transport.ts';
import { isInsecureRegistry, registryEndpoints, type RegistryAuth, type RegistryConfig, type RegistryEndpoint } from './registry-config.ts';

export interface RegistryClientOptions {
  auth?: RegistryAuth;
  config: RegistryConfig;
  /** `pull` or `pull,push`. */
  actions: string;
  /** More scopes for the token (e.g. `repository:other:pull` for cross-repository mounts). */
  extraScopes?: string[];
  signal?: AbortSignal;
  forPush?: boolean;
}

export interface RegistryErrorDetail {
  code: string;
  message: string;
}

/** An HTTP error answer from a registry, with its distribution error codes. */
export class RegistryHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: RegistryErrorDetail[],
    message: string,
  ) {
    super(message);
    this.name = 'RegistryHttpError';
  }
}

/** Which endpoint last worked for a registry host, so later requests skip a failing https probe. */
const workingEndpoint = new Map<string, string>();

export class RegistryClient {
  private endpoints: RegistryEndpoint[];
  private index = 0;
  private pinned = false;
  private authorization?: string;
  private authFailed = false;
  private authenticating?: Promise<void>;
  readonly scopes: string[];

  constructor(
    readonly domain: string,
    readonly repository: string,
    private readonly opts: RegistryClientOptions,
  ) {
    const all = registryEndpoints(domain, opts.config, opts.forPush);
    const known = workingEndpoint.get(domain);
    this.endpoints = known ? [...all.filter((e) => e.url === known), ...all.filter((e) => e.url !== known)] : all;
    this.scopes = [repositoryScope(repository, opts.actions), ...(opts.extraScopes ?? [])];
    if (opts.auth?.registryToken) this.authorization = `Bearer ${opts.auth.registryToken}`;
  }

  get endpoint(): RegistryEndpoint {
    return this.endpoints[this.index];
  }

  /** `/v2/<repository>/<rest>` on the current endpoint. */
  url(rest: string): string {
    return `${this.endpoint.url}/v2/${this.repository}/${rest}`;
  }

  /** Moves to the next endpoint (a failing mirror); false when none is left. */
  nextEndpoint(): boolean {
    if (this.index + 1 >= this.endpoints.length) return false;
    this.index++;
    this.pinned = false;
    this.authorization = this.opts.auth?.registryToken ? `Bearer ${this.opts.auth.registryToken}` : undefined;
    this.authFailed = false;
    return true;
  }

  get hasMoreEndpoints(): boolean {
    return this.index + 1 < this.endpoints.length;
  }

  /**
   * Sends a request to the registry (a path under the endpoint, or an absolute URL it gave us),
   * authenticating on a 401 and retrying once when the body can be sent again.
   */
  async request(req: Omit<HttpRequest, 'url' | 'insecure' | 'signal'> & { url: string }): Promise<HttpResponse> {
    for (;;) {
      const absolute = /^https?:\/\//.test(req.url) ? req.url : `${this.endpoint.url}${req.url}`;
      const used = this.index;
      const sentWith = this.authorization;
      let res: HttpResponse;
      try {
        res = await this.send({ ...req, url: absolute });
      } catch (e) {
        // Insecure registries: https (unverified) first, then plain http, as Docker does. A
        // concurrent request may already have moved on: then just retry on the current one.
        if (!this.pinned && isNetworkError(e) && !/^https?:\/\//.test(req.url) && (used !== this.index || this.nextEndpoint())) continue;
        throw this.networkError(req.method, absolute, e);
      }
      if (!this.pinned) {
        this.pinned = true;
        workingEndpoint.set(this.domain, this.endpoint.url);
      }
      if (res.status !== 401) return res;
      await readBody(res).catch(() => undefined);
      const repeatable = req.body === undefined || Buffer.isBuffer(req.body);
      // Concurrent requests (parallel layer uploads) share one client: a 401 for a request sent
      // before another one authenticated is retried with the new credentials, not failed.
      if (this.authenticating) {
        await this.authenticating.catch(() => undefined);
        if (repeatable) continue;
      }
      if (repeatable && this.authorization !== sentWith) continue;
      if (this.authFailed || !repeatable) throw await this.unauthorizedError(req.method, absolute, res);
      this.authenticating = this.authenticate(res, req.method, absolute);
      try {
        await this.authenticating;
      } finally {
        this.authenticating = undefined;
      }
    }
  }

  /** Throws the registry's error for a response that is not one of `ok`. */
  async expect(res: HttpResponse, ok: number[], what: string): Promise<HttpResponse> {
    if (ok.includes(res.status)) return res;
    const body = res.body.readable ? await readBody(res, 1 << 20).catch(() => Buffer.alloc(0)) : Buffer.alloc(0);
    throw registryError(res, body, what);
  }

  private send(req: HttpRequest): Promise<HttpResponse> {
    const sameOrigin = new URL(req.url).origin === new URL(this.endpoint.url).origin;
    const headers = { ...req.headers };
    if (this.authorization && sameOrigin) headers.Authorization = this.authorization;
    return httpRequest({ ...req, headers, insecure: this.endpoint.insecure, signal: this.opts.signal });
  }

  private async authenticate(res: HttpResponse, method: string, url: string): Promise<void> {
    this.authFailed = true;
    const challenges = parseWwwAuthenticate(res.headers['www-authenticate']);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const auth = this.opts.auth;
    if (bearer) {
      const { token } = await fetchToken(bearer, this.scopes, auth, this.opts.config, this.opts.signal);
      this.authorization = `Bearer ${token}`;
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (!auth?.username) throw unauthorized(`${method} "${url}": no basic auth credentials`);
      this.authorization = basicHeader(auth.username, auth.password ?? '');
      return;
    }
    throw unauthorized(`${method} "${url}": unauthorized: the registry asked for an unsupported authentication scheme`);
  }

  private async unauthorizedError(method: string, url: string, res: HttpResponse): Promise<EngineError> {
    const challenges = parseWwwAuthenticate(res.headers['www-authenticate']);
    if (challenges.some((c) => c.scheme === 'basic') && !this.opts.auth?.username) {
      return unauthorized(`${method} "${url}": no basic auth credentials`);
    }
    return unauthorized(`${method} "${url}": unauthorized: authentication required`);
  }

  private networkError(method: string, url: string, e: unknown): unknown {
    if ((e as Error)?.name === 'AbortError') return new EngineError('Unavailable', 'pull or push cancelled', { cause: e });
    if (!isNetworkError(e)) return e;
    const err = e as NodeJS.ErrnoException;
    return new EngineError('Internal', `${method} "${url}": ${describeNetworkError(err)}`, { cause: e });
  }
}

function describeNetworkError(err: NodeJS.ErrnoException): string {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return `dial tcp: connect: connection refused`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `dial tcp: lookup ${err.message.split(' ').pop()}: no such host`;
  if (code === 'ETIMEDOUT') return 'dial tcp: i/o timeout';
  return err.message;
}

export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/**
 * Docker's token flow: an identity token is exchanged with the OAuth2 refresh_token grant;
 * otherwise GET the realm with Basic credentials (if any). Returns the token and, when the
 * server hands one out (offline_token), a refresh token to give back as the identity token.
 */
export async function fetchToken(
  challenge: AuthChallenge,
  scopes: string[],
  auth: RegistryAuth | undefined,
  config: RegistryConfig,
  signal?: AbortSignal,
  login = false,
): Promise<{ token: string; refreshToken?: string }> {
  const realm = challenge.params.realm;
  if (!realm) throw unauthorized('the registry sent a Bearer challenge without a realm');
  const realmUrl = new URL(realm);
  const insecure = isInsecureRegistry(realmUrl.host, config);
  if (realmUrl.protocol !== 'https:' && !insecure) throw unauthorized(`refusing to send credentials to the non-TLS token realm ${realm}`);
  const service = challenge.params.service;
  let res: HttpResponse;
  if (auth?.identityToken) {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: auth.identityToken, client_id: 'docker' });
    if (service) form.set('service', service);
    if (scopes.length) form.set('scope', scopes.join(' '));
    res = await httpRequest({
      method: 'POST',
      url: realm,
      body: Buffer.from(form.toString()),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      insecure,
      signal,
    });
  } else {
    const u = new URL(realm);
    if (service) u.searchParams.set('service', service);
    for (const s of scopes) u.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    if (auth?.username) {
      headers.Authorization = basicHeader(auth.username, auth.password ?? '');
      u.searchParams.set('account', auth.username);
      if (login) {
        u.searchParams.set('offline_token', 'true');
        u.searchParams.set('client_id', 'docker');
      }
    }
    res = await httpRequest({ method: 'GET', url: u.toString(), headers, insecure, signal });
  }
  const body = await readBody(res, 1 << 20);
  if (res.status !== 200) {
    const e = registryError(res, body, '');
    const msg = `${res.status === 401 || res.status === 403 ? 'unauthorized: ' : ''}${(e as Error).message || `${res.status} ${res.statusText}`}`;
    throw unauthorized(`Get "${realmUrl.origin}${realmUrl.pathname}": ${msg.replace(/^unauthorized: unauthorized: /, 'unauthorized: ')}`);
  }
  let parsed: { token?: string; access_token?: string; refresh_token?: string };
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw unauthorized(`the token server at ${realmUrl.origin}${realmUrl.pathname} answered with something that is not JSON`);
  }
  const token = parsed.token || parsed.access_token;
  if (!token) throw unauthorized(`the token server at ${realmUrl.origin}${realmUrl.pathname} returned no token`);
  return { token, refreshToken: parsed.refresh_token };
}

/** Distribution's `{"errors":[{code,message}]}` as Docker prints it: `manifest unknown: manifest unknown`. */
export function registryError(res: HttpResponse, body: Buffer, what: string): Error {
  let errors: RegistryErrorDetail[] = [];
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: string; message?: string }> };
    errors = (parsed.errors ?? []).map((e) => ({ code: String(e.code ?? 'UNKNOWN'), message: String(e.message ?? '') }));
  } catch {
    // not a distribution error body
  }
  const text = errors.length
    ? errors.map((e) => `${e.code.toLowerCase().replace(/_/g, ' ')}: ${e.message || e.code.toLowerCase().replace(/_/g, ' ')}`).join(', ')
    : `unexpected status from ${what ? `${what} request` : 'registry'} to ${res.url}: ${res.status} ${res.statusText}`.trim();
  return new RegistryHttpError(res.status, errors, text);
}

export function errorCodes(e: unknown): string[] {
  return e instanceof RegistryHttpError ? e.errors.map((x) => x.code) : [];
}

