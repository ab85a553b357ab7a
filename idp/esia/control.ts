/*
 * Control routes of the ESIA face, mounted by control/router.ts on its loopback-only router:
 *   GET   /__control/esia                      settings, certificates, endpoints of the face
 *   PATCH /__control/esia/settings {…}         settings at run time, e.g. {"strict": true} or {"timestampWindowSeconds": 60}
 *   GET   /__control/esia/systems              registered systems and their certificates
 *   POST  /__control/esia/systems {SystemConfig}   registers one (config/systems.json's shape)
 *   GET   /__control/esia/diagnostics[/:ref]   the recent refusals; one, as JSON or as a page in a browser
 */
import type Router from '@koa/router';
import { ControlError } from '../control/inputs.ts';
import type { Services } from '../services.ts';
import { diagnosisPage } from './diagnostics.ts';
import type { EsiaFace } from './face.ts';
import { ConfigFileError } from '../../lib/errors.ts';
import type { SystemConfig } from './systems.ts';

export const esiaEndpoints = [
  'GET /__control/esia → settings, certificates and endpoints of the ESIA face',
  'PATCH /__control/esia/settings {strict?, timestampWindowSeconds?, …}',
  'GET|POST /__control/esia/systems {client_id, redirect_uris, certificates, …}',
  'GET /__control/esia/diagnostics, GET /__control/esia/diagnostics/:ref → why the ESIA face refused',
];

function faceOf(s: Services): EsiaFace {
  if (!s.esia)
    throw new ControlError(503, 'control.esia_starting', 'The ESIA face is still starting; try again in a moment.');
  return s.esia;
}

export function esiaControlRoutes(router: Router, s: Services): void {
  router.get('/esia', (ctx) => {
    const issuerOrigin = s.provider.issuer.replace(/\/$/, '');
    ctx.body = {
      settings: faceOf(s).registry.settings,
      certificates: {
        rsa: `${issuerOrigin}/public/esia-rsa.cer.pem`,
        gost: `${issuerOrigin}/public/esia-gost.cer.pem`,
      },
      endpoints: [
        '/aas/oauth2/ac',
        '/aas/oauth2/te',
        '/aas/oauth2/v2/ac',
        '/aas/oauth2/v3/te',
        '/rs/prns/{oid}',
        '/idp/ext/Logout',
      ],
      diagnostics: '/__control/esia/diagnostics/:ref',
    };
  });
  router.patch('/esia/settings', (ctx) => {
    const { settings } = faceOf(s).registry;
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const current = settings as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(body)) {
      if (!(key in current) || typeof value !== typeof current[key]) {
        throw new ControlError(
          400,
          'control.bad_setting',
          `${key}: expected one of ${Object.entries(current)
            .map(([k, v]) => `${k} (${typeof v})`)
            .join(', ')}`,
        );
      }
    }
    Object.assign(current, body);
    ctx.body = settings;
  });
  router.get('/esia/systems', (ctx) => {
    ctx.body = faceOf(s)
      .registry.all()
      .map((x) => ({
        client_id: x.clientId,
        name: x.name,
        redirect_uris: x.redirectUris,
        scopes: x.scopes,
        grant_types: x.grantTypes,
        token_alg: x.tokenAlg,
        certificates: x.certificates.map((c) => ({
          subject: c.parsed.subject,
          kind: c.kind,
          client_certificate_hash: c.hash,
          source: c.source,
          notAfter: c.parsed.notAfter,
        })),
      }));
  });
  router.post('/esia/systems', async (ctx) => {
    const face = faceOf(s);
    try {
      const system = await face.registry.add(ctx.request.body as SystemConfig);
      await face.registerInternalClient(system);
      ctx.status = 201;
      ctx.body = {
        client_id: system.clientId,
        certificates: system.certificates.map((c) => ({ subject: c.parsed.subject, client_certificate_hash: c.hash })),
      };
    } catch (error) {
      if (!(error instanceof ConfigFileError)) throw error;
      throw new ControlError(400, 'control.bad_system', error.message);
    }
  });
  router.get('/esia/diagnostics', (ctx) => {
    ctx.body = faceOf(s).diagnostics.recent();
  });
  router.get('/esia/diagnostics/:ref', async (ctx) => {
    const d = await faceOf(s).diagnostics.get(String(ctx.params.ref));
    if (!d)
      throw new ControlError(
        404,
        'control.unknown_ref',
        `No ESIA refusal with reference ${String(ctx.params.ref)} since the emulator started.`,
      );
    if (ctx.accepts('json', 'html') === 'html') {
      ctx.type = 'html';
      ctx.body = diagnosisPage(d).value;
    } else {
      ctx.body = d;
    }
  });
}
