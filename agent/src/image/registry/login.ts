// `docker login` (POST /auth): checks credentials against the registry's /v2/ the way Docker's
// loginV2 does — Basic straight to /v2/, Bearer through the token realm (offline_token, so a
// token server may hand back a refresh token, returned as the identity token). Nothing is kept.
import { unauthorized } from '../../errors.ts';
import { defaultDomain } from '../reference.ts';
import { parseWwwAuthenticate } from './auth-challenge.ts';
import { httpRequest, isNetworkError, readBody, type HttpResponse } from './http-transport.ts';
import { basicHeader, fetchToken } from './registry-client.ts';
import { registryEndpoints, type RegistryAuth, type RegistryConfig, type RegistryEndpoint } from './registry-config.ts';

export interface LoginResult {
  status: 'Login Succeeded';
  identityToken?: string;
}

/** `https://index.docker.io/v1/`, `docker.io`, `127.0.0.1:5000`, `http://host:5000/` → registry host. */
export function loginDomain(serverAddress: string | undefined): string {
  const s = (serverAddress ?? '').trim();
  if (!s) return defaultDomain;
  const host = s.replace(/^[a-z]+:\/\//i, '').split('/')[0].toLowerCase();
  if (['index.docker.io', 'docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'].includes(host)) return defaultDomain;
  return host;
}

export async function checkLogin(auth: RegistryAuth, config: RegistryConfig, signal?: AbortSignal): Promise<LoginResult> {
  const endpoints = registryEndpoints(loginDomain(auth.serverAddress), config, true);
  let lastError: unknown;
  for (const ep of endpoints) {
    let res: HttpResponse;
    try {
      res = await get(ep, undefined, signal);
    } catch (e) {
      lastError = e;
      if (isNetworkError(e)) continue;
      throw e;
    }
    return loginAt(ep, res, auth, config, signal);
  }
  throw unauthorized(`Get "${endpoints[endpoints.length - 1].url}/v2/": ${(lastError as Error)?.message ?? 'unreachable'}`);
}

async function loginAt(ep: RegistryEndpoint, first: HttpResponse, auth: RegistryAuth, config: RegistryConfig, signal?: AbortSignal): Promise<LoginResult> {
  const url = `${ep.url}/v2/`;
  await readBody(first).catch(() => undefined);
  if (first.status === 200) return { status: 'Login Succeeded' };
  if (first.status !== 401) throw unauthorized(`login attempt to ${url} failed with status: ${first.status} ${first.statusText}`);
  const challenges = parseWwwAuthenticate(first.headers['www-authenticate']);
  const bearer = challenges.find((c) => c.scheme === 'bearer');
  let authorization: string;
  let identityToken: string | undefined;
  if (auth.registryToken) {
    authorization = `Bearer ${auth.registryToken}`;
  } else if (bearer) {
    const t = await fetchToken(bearer, [], auth, config, signal, true);
    authorization = `Bearer ${t.token}`;
    identityToken = t.refreshToken;
  } else if (challenges.some((c) => c.scheme === 'basic')) {
    if (!auth.username) throw unauthorized(`Get "${url}": no basic auth credentials`);
    authorization = basicHeader(auth.username, auth.password ?? '');
  } else {
    throw unauthorized(`login attempt to ${url} failed with status: 401 Unauthorized`);
  }
  const res = await get(ep, authorization, signal);
  await readBody(res).catch(() => undefined);
  if (res.status !== 200) throw unauthorized(`login attempt to ${url} failed with status: ${res.status} ${res.statusText}`);
  return identityToken ? { status: 'Login Succeeded', identityToken } : { status: 'Login Succeeded' };
}

function get(ep: RegistryEndpoint, authorization: string | undefined, signal?: AbortSignal): Promise<HttpResponse> {
  return httpRequest({ method: 'GET', url: `${ep.url}/v2/`, headers: authorization ? { Authorization: authorization } : {}, insecure: ep.insecure, signal });
}
