/* Reads the registered relying parties from the clients file, with precise errors for a bad file. */
import { readFile } from 'node:fs/promises';
import type { ClientMetadata } from 'oidc-provider';
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
  return { ...client, redirect_uris: move(client.redirect_uris), ...(client.post_logout_redirect_uris ? { post_logout_redirect_uris: move(client.post_logout_redirect_uris) } : {}) };
}

export class ClientsFileError extends Error {
  override name = 'ClientsFileError';
}

export async function readClients(path: string): Promise<ClientConfig[]> {
  let parsed: { clients?: unknown };
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ClientsFileError(`Clients file ${path} cannot be read: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed.clients)) throw new ClientsFileError(`Clients file ${path}: expected {"clients": [...]}`);
  parsed.clients.forEach((c: Partial<ClientConfig>, i: number) => {
    if (typeof c.client_id !== 'string' || !c.client_id) throw new ClientsFileError(`Clients file ${path}: clients[${i}].client_id is missing`);
    if (!Array.isArray(c.redirect_uris) || c.redirect_uris.length === 0) {
      throw new ClientsFileError(`Clients file ${path}: clients[${i}] (${c.client_id}) needs redirect_uris, e.g. ["http://localhost:8080/callback"]`);
    }
  });
  return parsed.clients as ClientConfig[];
}
