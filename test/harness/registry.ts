// A real registry (docker-registry 2.8) on 127.0.0.1 for pull/push/login tests: no auth, htpasswd,
// or token auth through a token server of our own. The implementation is shared with the pull
// benchmark and lives in bench/lib/registry.mjs; this file is the typed entry point for tests.
export { pushFixture, startRegistry, freePort, signToken, libtrustKeyId } from '../../bench/lib/registry.mjs';
export type { RegistryHandle, RegistryOptions, TokenRequest } from '../../bench/lib/registry.mjs';

/** The default user startRegistry() creates when `users` is not given. */
export const DEFAULT_USER = { user: 'berth', pass: 'berth-pass', creds: 'berth:berth-pass' } as const;
