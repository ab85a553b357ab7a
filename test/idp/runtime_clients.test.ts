/*
 * POST /__control/clients: a client_id of the clients file is refused with 409 (it would change
 * nothing: the file's client wins), a new one signs in at once, registering it again replaces it, a
 * misspelt field is refused by name, and a registration outlives a restart on the same data folder.
 */
import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIdp } from '../../idp/app.ts';
import { loadConfig } from '../../idp/config/index.ts';
import { loadOrCreateKeys } from '../../keys/generate.ts';
import { rpConfig } from '../../relying-party/config.ts';
import { startRp } from '../../relying-party/server.ts';
import { freePort } from '../../scenarios/runner/stand.ts';
import { signInThrough } from '../helpers/sign_in.ts';

const keysDir = join(tmpdir(), 'esia-emulator-test-keys');

async function register(
  idp: string,
  client: Record<string, unknown>,
): Promise<{ status: number; body: { registered?: string; replaced?: boolean; error?: string; message?: string } }> {
  const res = await fetch(`${idp}/__control/clients`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(client),
  });
  return { status: res.status, body: (await res.json()) as { registered?: string; error?: string; message?: string } };
}

/** An emulator on a fixed port and data folder (so it can be started again on both), and a relying party of client `my-app`. */
async function emulatorAndApp(t: { teardown(fn: () => Promise<void>): void }) {
  const dataDir = await mkdtemp(join(tmpdir(), 'esia-runtime-clients-'));
  const port = await freePort();
  const config = loadConfig({ port, dataDir, keysDir, log: false, mtlsPort: null, flushDelayMs: 60_000 });
  const keys = await loadOrCreateKeys(keysDir);
  const start = () => startIdp(config, keys);
  const app = await startRp(
    rpConfig({
      port: 0,
      idpIssuer: `http://localhost:${port}`,
      dataDir,
      clientId: 'my-app',
      clientSecret: 'my-app-secret',
      title: 'Моё приложение',
      discoveryCacheMs: 0,
    }),
  );
  // first_party: this test is about registering; the consent screen of a third-party client has its own tests.
  const client = {
    client_id: 'my-app',
    client_secret: 'my-app-secret',
    redirect_uris: [`${app.url}/callback`],
    post_logout_redirect_uris: [`${app.url}/logged-out`],
    scope: 'openid profile email phone snils inn trust',
    first_party: true,
  };
  t.teardown(async () => {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { start, app, client, dataDir };
}

test('a client_id of the clients file is a 409 that names the file and what to do; a new one is 201 and signs in; again is 200 replaced', async (t) => {
  const { start, app, client } = await emulatorAndApp(t);
  const idp = await start();
  t.teardown(() => idp.close());
  const taken = await register(idp.url, {
    client_id: 'fmrm',
    client_secret: 'x',
    redirect_uris: ['http://localhost:8080/callback'],
  });
  t.is(taken.status, 409);
  t.is(taken.body.error, 'control.client_exists');
  t.regex(
    taken.body.message ?? '',
    /client_id "fmrm" is registered in config\/clients\.json \(ФМРМ — Федеральный регистр медицинских работников\).*Use another client_id, or change the entry in config\/clients\.json/,
  );
  t.is(
    (await signInThrough(app.url, idp.url)).screen,
    'error',
    'before registration the emulator does not know my-app',
  );

  const fresh = await register(idp.url, client);
  t.deepEqual([fresh.status, fresh.body], [201, { registered: 'my-app', replaced: false }]);
  t.is((await signInThrough(app.url, idp.url)).screen, 'cabinet');

  const again = await register(idp.url, { ...client, client_name: 'Моё приложение' });
  t.deepEqual([again.status, again.body], [200, { registered: 'my-app', replaced: true }]);
  t.is((await signInThrough(app.url, idp.url)).screen, 'cabinet');
});

test('an unknown metadata field is refused by name; standard OIDC fields are accepted', async (t) => {
  const { start, client } = await emulatorAndApp(t);
  const idp = await start();
  t.teardown(() => idp.close());
  const typo = await register(idp.url, { ...client, client_id: 'typo-app', redirect_uri: 'http://localhost:8080/cb' });
  t.is(typo.status, 400);
  t.regex(
    typo.body.message ?? '',
    /Unknown client metadata "redirect_uri": expected OpenID Connect Dynamic Client Registration fields/,
  );
  const standard = await register(idp.url, {
    ...client,
    client_id: 'standard-app',
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    application_type: 'web',
    contacts: ['dev@example.test'],
    require_pkce: true,
    allowed_methods: ['password'],
  });
  t.is(standard.status, 201, standard.body.message);
});

test('a runtime registration survives a restart on the same data folder, and a reset of the personas', async (t) => {
  const { start, app, client, dataDir } = await emulatorAndApp(t);
  const first = await start();
  t.is((await register(first.url, client)).status, 201);
  const kept = JSON.parse(await readFile(join(dataDir, 'emulator.json'), 'utf8')) as {
    clients?: Array<{ client_id: string }>;
  };
  t.deepEqual(
    kept.clients?.map((c) => c.client_id),
    ['my-app'],
    'in the data file at once, before any coalesced write',
  );
  await fetch(`${first.url}/__control/reset`, { method: 'POST' });
  await first.close();

  const second = await start();
  t.teardown(() => second.close());
  t.is(
    (await signInThrough(app.url, second.url)).screen,
    'cabinet',
    'my-app signs in after the restart without registering again',
  );
  t.is((await register(second.url, client)).status, 200, 'and is known as registered before');
});

test('require_pkce: false registered at run time lets an authorization request without PKCE through; without it PKCE stays required', async (t) => {
  const { start } = await emulatorAndApp(t);
  const idp = await start();
  t.teardown(() => idp.close());
  const redirect = 'http://localhost:8080/callback';
  const authorize = async (clientId: string) => {
    const query = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: redirect,
      state: 's1',
    });
    return (await fetch(`${idp.url}/auth?${query}`, { redirect: 'manual' })).headers.get('location') ?? '';
  };
  for (const [id, requirePkce] of [
    ['legacy-app', false],
    ['modern-app', undefined],
  ] as const) {
    t.is(
      (
        await register(idp.url, {
          client_id: id,
          client_secret: `${id}-secret`,
          redirect_uris: [redirect],
          ...(requirePkce === false ? { require_pkce: false } : {}),
        })
      ).status,
      201,
    );
  }
  t.regex(await authorize('legacy-app'), /\/interaction\//, 'the legacy client reaches the sign-in screens');
  t.regex(
    await authorize('modern-app'),
    /^http:\/\/localhost:8080\/callback\?error=invalid_request&error_description=[^&]*PKCE/,
    'a client that did not opt out still needs PKCE',
  );
});
