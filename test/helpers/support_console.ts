/* An operator signed in to the support console (/support) over HTTP: its cookie and CSRF token on every request. */
export interface ConsoleClient {
  /** The Cookie header it sends: the console session, and `extraCookie` if given. */
  cookie: string;
  /** The session's CSRF token, sent with every POST. */
  csrf: string;
  get(path: string): Promise<Response>;
  post(path: string, fields?: Record<string, string>): Promise<Response>;
}

export const form = { 'content-type': 'application/x-www-form-urlencoded' };

/** `extraCookie` (e.g. esia_run=<id>) travels with every request, so the console acts on that run. */
export async function operatorSession(idp: string, login: string, extraCookie = ''): Promise<ConsoleClient> {
  const res = await fetch(`${idp}/support/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...form, ...(extraCookie ? { cookie: extraCookie } : {}) },
    body: new URLSearchParams({ login, password: 'Operator-1234' }),
  });
  if (res.status !== 303) throw new Error(`sign-in of ${login}: ${res.status}`);
  const cookie = [res.headers.getSetCookie().find((c) => c.startsWith('esia_support='))?.split(';')[0], extraCookie].filter(Boolean).join('; ');
  const home = await (await fetch(`${idp}/support`, { headers: { cookie } })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(home)?.[1] ?? '';
  return {
    cookie,
    csrf,
    get: (path) => fetch(`${idp}${path}`, { redirect: 'manual', headers: { cookie } }),
    post: (path, fields = {}) => fetch(`${idp}${path}`, { method: 'POST', redirect: 'manual', headers: { ...form, cookie }, body: new URLSearchParams({ csrf, ...fields }) }),
  };
}
