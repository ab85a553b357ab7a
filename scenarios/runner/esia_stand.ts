/*
 * The ESIA face of a test stand: the systems it registers (two reference RPs in ESIA mode and two
 * protocol test systems whose redirect URIs land on a capture page), the RPs themselves, and that
 * capture page ("sink"), which shows what ESIA sent back: code, state or the ESIA error.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadOrCreateTestKeys, readTestSystemKeys, testSystemDir } from '../../idp/esia/systems.ts';
import { rpConfig, type RpConfig } from '../../relying-party/config.ts';
import type { EsiaSigner } from '../../relying-party/esia/protocol.ts';
import { startRp, type RunningRp } from '../../relying-party/server.ts';

export const esiaSystemIds = { gost: 'FMRM01', legacy: 'FMRM02', proto: 'PROTO01', limited: 'PROTO02' } as const;

export interface EsiaPorts {
  rpEsia: number;
  rpEsia1: number;
  sink: number;
}

/** config/systems.json of a stand. */
export function esiaSystemsFile(ports: EsiaPorts): Record<string, unknown> {
  const sink = `http://localhost:${ports.sink}`;
  return {
    settings: { timestampWindowSeconds: 600 },
    systems: [
      {
        client_id: esiaSystemIds.gost,
        name: 'ФМРМ (ЕСИА, ГОСТ)',
        certificates: ['generated:gost'],
        redirect_uris: [`http://localhost:${ports.rpEsia}/callback`, `http://localhost:${ports.rpEsia}/logged-out`],
        token_alg: 'GOST3410_2012_256',
      },
      {
        client_id: esiaSystemIds.legacy,
        name: 'ФМРМ (ЕСИА, PKCS#7)',
        certificates: ['generated:rsa', 'generated:gost'],
        redirect_uris: [`http://localhost:${ports.rpEsia1}/callback`, `http://localhost:${ports.rpEsia1}/logged-out`],
        token_alg: 'RS256',
      },
      {
        client_id: esiaSystemIds.proto,
        name: 'Тестовая система протокола',
        certificates: ['generated:gost', 'generated:rsa'],
        redirect_uris: [`${sink}/cb`, `${sink}/cb2`],
        scopes: [
          'openid',
          'fullname',
          'birthdate',
          'gender',
          'snils',
          'inn',
          'id_doc',
          'email',
          'mobile',
          'contacts',
          'addresses',
          'prm_chg',
        ],
      },
      {
        client_id: esiaSystemIds.limited,
        name: 'Система без client_credentials, с экраном согласия',
        certificates: ['generated:gost'],
        redirect_uris: [`${sink}/limited`],
        grant_types: ['authorization_code'],
        consent: true,
      },
    ],
  };
}

export async function signerOf(keysDir: string, clientId: string, kind: EsiaSigner['kind']): Promise<EsiaSigner> {
  const keys = await readTestSystemKeys(keysDir, clientId);
  const pair = kind === 'cms-rsa' ? keys.rsa : keys.gost;
  if (!pair)
    throw new Error(
      `no generated ${kind === 'cms-rsa' ? 'RSA' : 'GOST'} keys for ${clientId} in ${keysDir}; is it in the systems file with "generated:…"?`,
    );
  return { kind, ...pair };
}

/**
 * The two reference RPs in ESIA mode, on ports the OS picks. Their keys are made here first (the
 * same files the emulator would make for "generated:…"), so the RPs can start before the emulator
 * and the systems file can name their real ports: no port is reserved and bound later.
 */
export async function startEsiaRps(o: {
  issuer: string;
  dataDir: string;
  keysDir: string;
  /** The emulator's SMTP listener, where their notifications' e-mail goes (as the OIDC ФМРМ's). */
  smtpUrl?: string;
}): Promise<RunningRp[]> {
  const made: Array<[string, 'gost' | 'rsa']> = [
    [esiaSystemIds.gost, 'gost'],
    [esiaSystemIds.legacy, 'rsa'],
    [esiaSystemIds.legacy, 'gost'],
    [esiaSystemIds.proto, 'gost'],
    [esiaSystemIds.proto, 'rsa'],
    [esiaSystemIds.limited, 'gost'],
  ];
  for (const [id, kind] of made) await loadOrCreateTestKeys(testSystemDir(o.keysDir, id), kind, `${id} (test system)`);
  const base: Partial<RpConfig> = {
    idpIssuer: o.issuer,
    dataDir: o.dataDir,
    port: 0,
    ...(o.smtpUrl ? { smtpUrl: o.smtpUrl } : {}),
  };
  return Promise.all([
    startRp(
      rpConfig({
        ...base,
        clientId: esiaSystemIds.gost,
        esia: { version: 'v2', signer: await signerOf(o.keysDir, esiaSystemIds.gost, 'raw') },
      }),
    ),
    startRp(
      rpConfig({
        ...base,
        clientId: esiaSystemIds.legacy,
        esia: { version: 'v1', signer: await signerOf(o.keysDir, esiaSystemIds.legacy, 'cms-rsa') },
      }),
    ),
  ]);
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A system's redirect_uri that just shows what arrived (body[data-error-code] = the ESIA code). */
export async function startSink(port: number): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://localhost:${port}`);
    const q = url.searchParams;
    const code = /^(ESIA-\d{6})/.exec(q.get('error_description') ?? '')?.[1] ?? '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    const row = (name: string, value: string | null) =>
      value ? `<tr><th>${name}</th><td>${escapeHtml(value)}</td></tr>` : '';
    res.end(`<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Тестовая система: ответ ЕСИА</title>
<style>body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#0b1f33}.stand{background:#ffd400;padding:6px 16px;font-weight:600}
main{max-width:720px;margin:32px auto;padding:0 16px}th{text-align:left;padding:4px 16px 4px 0;color:#66727f;font-weight:400}td{word-break:break-all}</style></head>
<body data-screen="system-callback"${code ? ` data-error-code="${code}"` : ''}><div class="stand">ТЕСТОВЫЙ СТЕНД — не настоящая система</div><main>
<h1>Тестовая система получила ответ ЕСИА</h1>
<p data-testid="callback" data-code="${escapeHtml(q.get('code') ?? '')}" data-state="${escapeHtml(q.get('state') ?? '')}" data-error="${escapeHtml(q.get('error') ?? '')}">Адрес возврата: ${escapeHtml(url.pathname)}</p>
<table>${row('code', q.get('code'))}${row('state', q.get('state'))}${row('error', q.get('error'))}${row('error_description', q.get('error_description'))}</table>
</main></body></html>`);
  });
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', () => ok()));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${actual}`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
