/* An operator signed in to the support console (/support) over HTTP: its cookie and CSRF token on every request. */
export interface ConsoleClient {
  /** The Cookie header it sends: the console session, and `extraCookie` if given. */
  cookie: string;
  /** The session's CSRF token, sent with every POST. */
  csrf: string;
  /** The form token fields every POST carries with it (bound to the esia_form cookie). */
  formFields: Record<string, string>;
  get(path: string): Promise<Response>;
  post(path: string, fields?: Record<string, string>): Promise<Response>;
}

export const form = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * What a browser has once it opened /support: the form cookie (esia_form) with `extraCookie`, and
 * the sign-in form's token. The console refuses a sign-in form without them (support.csrf).
 */
export async function signInForm(
  idp: string,
  extraCookie = '',
): Promise<{ cookie: string; fields: Record<string, string> }> {
  const page = await fetch(`${idp}/support`, { headers: extraCookie ? { cookie: extraCookie } : {} });
  const formCookie = page.headers
    .getSetCookie()
    .find((c) => c.startsWith('esia_form='))
    ?.split(';')[0];
  const token = /name="csrf_token" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  return { cookie: [formCookie, extraCookie].filter(Boolean).join('; '), fields: { csrf_token: token } };
}

/** `extraCookie` (e.g. esia_run=<id>) travels with every request, so the console acts on that run. */
export async function operatorSession(idp: string, login: string, extraCookie = ''): Promise<ConsoleClient> {
  const signIn = await signInForm(idp, extraCookie);
  const res = await fetch(`${idp}/support/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...form, cookie: signIn.cookie },
    body: new URLSearchParams({ ...signIn.fields, login, password: 'Operator-1234' }),
  });
  if (res.status !== 303) throw new Error(`sign-in of ${login}: ${res.status}`);
  const cookie = [
    res.headers
      .getSetCookie()
      .find((c) => c.startsWith('esia_support='))
      ?.split(';')[0],
    signIn.cookie,
  ]
    .filter(Boolean)
    .join('; ');
  const home = await (await fetch(`${idp}/support`, { headers: { cookie } })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(home)?.[1] ?? '';
  return {
    cookie,
    csrf,
    formFields: signIn.fields,
    get: (path) => fetch(`${idp}${path}`, { redirect: 'manual', headers: { cookie } }),
    post: (path, fields = {}) =>
      fetch(`${idp}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { ...form, cookie },
        body: new URLSearchParams({ csrf, ...signIn.fields, ...fields }),
      }),
  };
}
