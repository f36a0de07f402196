// WWW-Authenticate challenges (RFC 7235) and the registry token flow
// (distribution's token spec: GET realm?service=…&scope=…, OAuth2 refresh_token POST).
export interface AuthChallenge {
  /** Lower-cased: `bearer`, `basic`. */
  scheme: string;
  params: Record<string, string>;
}

/** Parses every challenge in a WWW-Authenticate header value (quoted strings, commas in quotes). */
export function parseWwwAuthenticate(header: string | string[] | undefined): AuthChallenge[] {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  const out: AuthChallenge[] = [];
  for (const value of values) {
    let i = 0;
    let current: AuthChallenge | undefined;
    const s = value;
    const skipWs = () => {
      while (i < s.length && /[\s,]/.test(s[i])) i++;
    };
    while (i < s.length) {
      skipWs();
      const tokenMatch = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+/.exec(s.slice(i));
      if (!tokenMatch) break;
      const token = tokenMatch[0];
      i += token.length;
      while (i < s.length && s[i] === ' ') i++;
      if (s[i] === '=') {
        // auth-param of the current challenge
        i++;
        while (i < s.length && s[i] === ' ') i++;
        let val = '';
        if (s[i] === '"') {
          i++;
          while (i < s.length && s[i] !== '"') {
            if (s[i] === '\\' && i + 1 < s.length) i++;
            val += s[i++];
          }
          i++;
        } else {
          const m = /^[^,\s]*/.exec(s.slice(i))!;
          val = m[0];
          i += val.length;
        }
        if (current) current.params[token.toLowerCase()] = val;
      } else {
        current = { scheme: token.toLowerCase(), params: {} };
        out.push(current);
      }
    }
  }
  return out;
}

/** `repository:library/busybox:pull` */
export function repositoryScope(path: string, actions: string): string {
  return `repository:${path}:${actions}`;
}
