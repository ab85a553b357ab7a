/* Reads the registered relying parties from the clients file, with precise errors for a bad file. */
import type { ClientMetadata } from 'oidc-provider';
import { readConfigFile } from '../../lib/config_file.ts';
import { absent, ConfigFileError } from '../../lib/errors.ts';
import { atOrigin } from '../config/index.ts';

/** oidc-provider client metadata, plus our one extension. */
export type ClientConfig = ClientMetadata & {
  /** PKCE is required unless this is false (for legacy clients). */
  require_pkce?: boolean;
  /** Sign-in methods this client accepts (A9): password, esign. Read by the emulator, not given to oidc-provider. */
  allowed_methods?: string[];
  /** A system of the operator itself (ФМРМ, НМО): no consent screen. Passed to oidc-provider as extra client metadata. */
  first_party?: boolean;
};

/** Whether a client skips the consent screen; a client without the flag (any registered at run time) is third-party. */
export function isFirstParty(client: unknown): boolean {
  return (client as { first_party?: unknown } | undefined)?.first_party === true;
}

/** The client metadata oidc-provider accepts: our extensions removed. */
export function providerMetadata(client: ClientConfig): ClientMetadata {
  const { require_pkce: _pkce, allowed_methods: _methods, ...metadata } = client;
  return metadata;
}

/** The client with its redirect URIs moved to `origin` (where the start script's relying party really listens). */
export function movedTo(client: ClientConfig, origin: string | undefined): ClientConfig {
  if (!origin) return client;
  const move = (uris: readonly string[] | undefined) => uris?.map((uri) => atOrigin(uri, origin));
  return {
    ...client,
    redirect_uris: move(client.redirect_uris),
    ...(client.post_logout_redirect_uris ? { post_logout_redirect_uris: move(client.post_logout_redirect_uris) } : {}),
  };
}

export async function readClients(path: string): Promise<ClientConfig[]> {
  const parsed = (await readConfigFile(path)) as { clients?: unknown };
  if (!Array.isArray(parsed?.clients))
    throw new ConfigFileError(path, {
      field: 'clients',
      expected: 'a list of clients: {"clients": [...]}',
      actual: parsed?.clients ?? absent,
    });
  parsed.clients.forEach((c: Partial<ClientConfig> | null, i: number) => {
    if (typeof c !== 'object' || c === null || Array.isArray(c))
      throw new ConfigFileError(path, {
        field: `clients[${i}]`,
        expected: 'a client object {client_id, redirect_uris, …}',
        actual: c,
      });
    if (typeof c.client_id !== 'string' || !c.client_id)
      throw new ConfigFileError(path, {
        field: `clients[${i}].client_id`,
        expected: 'the client\'s id, e.g. "fmrm"',
        actual: c.client_id ?? absent,
      });
    if (!Array.isArray(c.redirect_uris) || c.redirect_uris.length === 0) {
      throw new ConfigFileError(path, {
        field: `clients[${i}].redirect_uris`,
        expected: 'a list of URLs such as ["http://localhost:8080/callback"]',
        actual: c.redirect_uris ?? absent,
      });
    }
  });
  return parsed.clients as ClientConfig[];
}
