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
  /** How «Мои услуги» shows a first-party system as a tile. Read by the emulator, not given to oidc-provider. */
  service?: ServiceEntry;
};

/** The clients file's "service" of a first-party system: every field optional. */
export interface ServiceEntry {
  /** The tile's name; client_name by default. */
  title?: string;
  /** One line under the name: what the system is for. */
  description?: string;
  /** Where the tile leads: the page that starts the system's sign-in (its /login), the origin of its first redirect URI by default. */
  start_url?: string;
}

/** A tile of «Мои услуги»: a system of the stand the person opens with the session they already have. */
export interface ServiceTile {
  clientId: string;
  title: string;
  description?: string;
  startUrl: string;
}

/**
 * The tiles of «Мои услуги»: every first-party system of the clients file (ФМРМ, Портал НМО, and
 * any system of the operator a developer adds there). A system registered at run time is third-party
 * and the internal clients are not in the file, so neither is a tile.
 */
export function serviceTiles(clients: readonly ClientConfig[]): ServiceTile[] {
  return clients.filter(isFirstParty).map((c) => ({
    clientId: c.client_id,
    title: c.service?.title ?? (typeof c.client_name === 'string' ? c.client_name : c.client_id),
    ...(c.service?.description ? { description: c.service.description } : {}),
    startUrl: c.service?.start_url ?? `${new URL(c.redirect_uris?.[0] ?? '').origin}/`,
  }));
}

/** Whether a client skips the consent screen; a client without the flag (any registered at run time) is third-party. */
export function isFirstParty(client: unknown): boolean {
  return (client as { first_party?: unknown } | undefined)?.first_party === true;
}

/** The client metadata oidc-provider accepts: our extensions removed. */
export function providerMetadata(client: ClientConfig): ClientMetadata {
  const { require_pkce: _pkce, allowed_methods: _methods, service: _service, ...metadata } = client;
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
    ...(client.service?.start_url
      ? { service: { ...client.service, start_url: atOrigin(client.service.start_url, origin) } }
      : {}),
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
    if (c.service !== undefined) checkService(path, `clients[${i}].service`, c.service);
  });
  return parsed.clients as ClientConfig[];
}

function checkService(path: string, field: string, service: unknown): void {
  if (typeof service !== 'object' || service === null || Array.isArray(service))
    throw new ConfigFileError(path, {
      field,
      expected: 'the tile of «Мои услуги»: {"title", "description", "start_url"}, each optional',
      actual: service,
    });
  const entry = service as Record<string, unknown>;
  for (const key of ['title', 'description'] as const)
    if (entry[key] !== undefined && (typeof entry[key] !== 'string' || !entry[key]))
      throw new ConfigFileError(path, { field: `${field}.${key}`, expected: 'a non-empty text', actual: entry[key] });
  const start = entry.start_url;
  const web = typeof start === 'string' && URL.canParse(start) && /^https?:$/.test(new URL(start).protocol);
  if (start !== undefined && !web)
    throw new ConfigFileError(path, {
      field: `${field}.start_url`,
      expected: 'an absolute http(s) URL of the page that starts the sign-in, such as "http://localhost:4000/login"',
      actual: start,
    });
}
