/*
 * Reading and checking ESIA requests: parameters (one value each), the timestamp, and the signed
 * client_secret of both generations, with a diagnosis a developer can act on when it fails.
 *
 *   v1  /aas/oauth2/ac, /te     CMS SignedData over scope + timestamp + client_id + state
 *   v2  /aas/oauth2/v2/ac        raw GOST over client_id + scope [+ scope_org] + timestamp + state + redirect_uri
 *   v3  /aas/oauth2/v3/te        … + code (authorization_code); refresh_token and client_credentials see below
 *
 * The parameters are read in params.ts and the signature checked in signature.ts; this module
 * re-exports both, so callers import from here.
 */
import { EsiaProtocolError } from './errors.ts';
import type { Params } from './params.ts';
import { knownScopes, type EsiaSettings, type EsiaSystem } from './systems.ts';

export { readParams, requireParams, type Params } from './params.ts';
export { candidateMessages, verifyCmsRequest, verifyRawRequest, type RequestKind, type Verified } from './signature.ts';

const timestampPattern = /^(\d{4})\.(\d{2})\.(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\s*([+\- ])(\d{2}):?(\d{2})|\s*Z)?$/;

/**
 * `yyyy.MM.dd HH:mm:ss Z` as clients send it: +0300, +0000, -0500, +03:00, or a `+` that arrived as
 * a space because the client did not encode it. Returns epoch ms, or a reason.
 */
export function parseTimestamp(text: string, strict = false): { ms: number } | { reason: string } {
  const format = 'yyyy.MM.dd HH:mm:ss Z (e.g. 2026.11.25 12:00:00 +0300)';
  if (strict && !/^\d{4}\.\d{2}\.\d{2} (?:[01]\d|2[0-3]):\d{2}:\d{2} [+-]\d{4}$/.test(text)) {
    return {
      reason: `"${text}" is not exactly ${format}; settings.strict refuses other forms (hour 24, +03:00, a missing or unencoded +)`,
    };
  }
  const m = timestampPattern.exec(text.trim());
  if (!m) return { reason: `"${text}" is not in the format ${format}` };
  const [, y, mo, d, hh, mi, s, sign, oh, om] = m;
  // Hour 24 is what `toLocaleString('en', { hour12: false })` prints after midnight (passport-esia's
  // timestamp): it means 00 of the same date, so it is read that way.
  const h = hh === '24' ? '00' : hh;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return { reason: `"${text}" is not a real date and time` };
  }
  if (sign) ms -= (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
  return { ms };
}

export function checkTimestamp(params: Params, settings: EsiaSettings, nowMs: number): void {
  const parsed = parseTimestamp(params.timestamp ?? '', settings.strict);
  if ('reason' in parsed) throw new EsiaProtocolError('ESIA-007015', parsed.reason, { timestamp: params.timestamp });
  const skew = Math.round((parsed.ms - nowMs) / 1000);
  if (Math.abs(skew) > settings.timestampWindowSeconds) {
    throw new EsiaProtocolError(
      'ESIA-007015',
      `timestamp ${params.timestamp} is ${Math.abs(skew)} s ${skew > 0 ? 'ahead of' : 'behind'} the emulator's clock (${new Date(nowMs).toISOString()}); the window is ±${settings.timestampWindowSeconds} s. ${
        Math.abs(skew) >= 3000 && Math.abs(Math.abs(skew) - Math.round(Math.abs(skew) / 3600) * 3600) <= 120
          ? `That is about ${Math.round(Math.abs(skew) / 3600)} h: the time zone offset is probably wrong (local time sent with +0000, or UTC with +0300).`
          : "Check the client's clock."
      }`,
      { timestamp: params.timestamp, skewSeconds: skew, windowSeconds: settings.timestampWindowSeconds },
    );
  }
}

/** Scopes of a request: known, allowed for the system. `?oid=`/`?org_oid=` suffixes and URI forms are kept. */
export function checkScopes(scope: string, system: EsiaSystem): string[] {
  const scopes = scope.split(/[\s+]+/).filter(Boolean);
  if (scopes.length === 0) throw new EsiaProtocolError('ESIA-007013', 'scope is empty');
  for (const s of scopes) {
    const name = scopeName(s);
    if (!knownScopes.includes(name)) {
      const near = knownScopes.find((k) => distance(k, name) <= 2);
      throw new EsiaProtocolError(
        'ESIA-007006',
        `scope "${s}" is unknown${near ? ` (did you mean "${near}"?)` : ''}; scopes are separated by spaces`,
        { scope: s },
      );
    }
    if (!system.scopes.includes(name)) {
      const known = (system.scopes as string[]).length;
      throw new EsiaProtocolError(
        'ESIA-007006',
        `scope "${s}" is not allowed for system ${system.clientId}${known ? ` (allowed: ${system.scopes.join(' ')})` : ''}`,
        { scope: s, allowed: system.scopes },
      );
    }
  }
  return scopes;
}

/** "http://esia.gosuslugi.ru/usr_inf?oid=1" → "usr_inf". */
export function scopeName(scope: string): string {
  return scope.replace(/^https?:\/\/[^/]+\//, '').replace(/\?.*$/, '');
}

export function checkRedirectUri(redirectUri: string, system: EsiaSystem): void {
  if (!system.redirectUris.includes(redirectUri)) {
    throw new EsiaProtocolError(
      'ESIA-007023',
      `redirect_uri ${redirectUri} is not registered for system ${system.clientId}; registered: ${system.redirectUris.join(', ')} (compared exactly, including scheme, port, path and trailing slash)`,
      { redirect_uri: redirectUri, registered: system.redirectUris },
    );
  }
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
