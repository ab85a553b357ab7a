/*
 * Builds the ESIA face: systems registry (config/systems.json), ESIA's signing keys (generated on
 * first start under <keysDir>/esia/), tokens, diagnostics, the internal oidc-provider client of
 * every system (so the same sign-in screens serve both faces), and the route table (routes.ts).
 */
import type Router from '@koa/router';
import type { Services } from '../services.ts';
import { plainJson } from '../adapters/records.ts';
import { Diagnostics } from './diagnostics.ts';
import { internalClientId, returnPath, type EsiaFace } from './face.ts';
import { esiaRoutes } from './routes.ts';
import { loadOrCreateSigningKeys, SystemRegistry, type EsiaSystem } from './systems.ts';
import { SignIns } from './sign_ins.ts';
import { TokenService } from './tokens.ts';

export type { EsiaFace } from './face.ts';

export interface EsiaOptions {
  systemsFile: string;
  keysDir: string;
  /** Systems whose redirect URIs move to these origins (the start script's relying parties, IdpConfig.clientOrigins). */
  clientOrigins?: Record<string, string>;
  /** Stores an oidc-provider client (validated by the provider's own schema). */
  registerClient(client: Record<string, unknown>): Promise<void>;
}

export async function createEsiaFace(s: Services, options: EsiaOptions): Promise<{ face: EsiaFace; router: Router }> {
  const [registry, keys] = await Promise.all([
    SystemRegistry.load(options.systemsFile, options.keysDir, options.clientOrigins),
    loadOrCreateSigningKeys(options.keysDir),
  ]);
  const issuerOrigin = s.provider.issuer.replace(/\/$/, '');
  const face: EsiaFace = {
    registry,
    tokens: new TokenService(keys, registry.settings, s.records, s.runs),
    signIns: new SignIns(s.records, { runs: s.runs, systems: registry }),
    diagnostics: new Diagnostics(s.shared ? s.records('esia:diagnosis', plainJson()) : undefined),
    registerInternalClient: (system: EsiaSystem) =>
      options.registerClient({
        client_id: internalClientId(system.clientId),
        client_name: system.name,
        redirect_uris: [`${issuerOrigin}${returnPath}`],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        scope: 'openid',
        // The ESIA face asks consent on its own screen (esia/consent.ts), for systems registered with it.
        first_party: true,
      }),
  };
  for (const system of registry.all()) await face.registerInternalClient(system);
  return { face, router: esiaRoutes(s, face) };
}
