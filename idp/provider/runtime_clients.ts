/*
 * Relying parties registered while the emulator runs: POST /__control/clients, the ESIA face's internal
 * clients, the account page's client. Registrations through the control API are kept in the data file
 * (emulator.json, `clients`), so a restart on the same data folder keeps them; `npm run reset` forgets them.
 * A client_id of the clients file (or one the emulator registered itself) cannot be taken over: oidc-provider
 * always answers with its static clients, so a registration under such an id would change nothing.
 */
import type Provider from 'oidc-provider';
import type { Store } from '../../lib/store/store.ts';
import type { DataFile } from '../adapters/account_repository.ts';
import { ControlError } from '../control/inputs.ts';
import { type ClientConfig, providerMetadata } from './clients.ts';
import type { ProviderState } from './provider_state.ts';

/** Validates a client through oidc-provider's own schema, then stores it for Client.find. */
async function storeClient(provider: Provider, storage: ProviderState, client: ClientConfig): Promise<void> {
  if (typeof client.client_id !== 'string' || !client.client_id)
    throw new ControlError(400, 'control.bad_client', 'client_id is required.');
  if (!Array.isArray(client.redirect_uris) || client.redirect_uris.length === 0) {
    throw new ControlError(
      400,
      'control.bad_client',
      'redirect_uris is required, e.g. ["http://localhost:8080/callback"].',
    );
  }
  const metadata = providerMetadata(client);
  try {
    await provider.Client.validate(metadata);
  } catch (error) {
    const e = error as { error_description?: string; message: string };
    throw new ControlError(400, 'control.bad_client', `Client metadata rejected: ${e.error_description ?? e.message}`);
  }
  // oidc-provider drops what it does not know without a word; a misspelt field is refused instead.
  // The Client constructor is what Client.validate runs; its metadata() lists the fields it recognised.
  const known = new Set(
    Object.keys(new (provider.Client as unknown as new (m: object) => { metadata(): object })(metadata).metadata()),
  );
  const unknown = Object.keys(metadata).filter((key) => !known.has(key));
  if (unknown.length) {
    throw new ControlError(
      400,
      'control.bad_client',
      `Unknown client metadata ${unknown.map((k) => `"${k}"`).join(', ')}: expected OpenID Connect Dynamic Client Registration fields (redirect_uris, client_secret, token_endpoint_auth_method, scope, …) or the emulator's require_pkce and allowed_methods.`,
    );
  }
  await storage.adapterFor('Client').upsert(client.client_id, metadata, 0);
}

export class RuntimeClients {
  /** client_ids nobody may register over: the clients file's, and those the emulator registers itself. */
  readonly #reserved: Map<string, string>;

  constructor(
    private readonly provider: Provider,
    private readonly storage: ProviderState,
    /** Where registrations are kept for the next process: the data file (on Redis, oidc-provider's Client records there). */
    private readonly store: Pick<Store<DataFile>, 'data' | 'changed' | 'flush'>,
    staticClients: ClientConfig[],
    private readonly clientsFile: string,
    private readonly onRegistered: (client: ClientConfig) => void,
  ) {
    this.#reserved = new Map(
      staticClients.map((c) => [
        c.client_id,
        `is registered in ${clientsFile}${c.client_name ? ` (${c.client_name})` : ''}`,
      ]),
    );
  }

  /** A client the emulator itself needs (ESIA face, account page): not persisted, and reserved. */
  async registerInternal(client: ClientConfig): Promise<void> {
    await storeClient(this.provider, this.storage, client);
    this.#reserved.set(client.client_id, 'is a client the emulator registers itself');
  }

  /** POST /__control/clients: a new client, or a new version of one registered the same way. */
  async register(client: ClientConfig): Promise<{ replaced: boolean }> {
    const reserved = typeof client.client_id === 'string' ? this.#reserved.get(client.client_id) : undefined;
    if (reserved) {
      throw new ControlError(
        409,
        'control.client_exists',
        `client_id "${client.client_id}" ${reserved}, and that registration wins for the whole process: registering it again would change nothing. Use another client_id, or change the entry in ${this.clientsFile} (ESIA_CLIENTS) and restart.`,
      );
    }
    await storeClient(this.provider, this.storage, client);
    this.onRegistered(client);
    const kept = this.store.data.clients ?? [];
    const replaced = kept.some((c) => c.client_id === client.client_id);
    this.store.data.clients = [...kept.filter((c) => c.client_id !== client.client_id), client];
    // Written before the answer: a registration is rare, and one lost to a crash would fail every later sign-in of that client.
    this.store.changed();
    await this.store.flush();
    return { replaced };
  }

  /** Registrations kept in the data file by an earlier process on this data folder. */
  async restore(): Promise<void> {
    for (const client of this.store.data.clients ?? []) {
      const reserved = this.#reserved.get(client.client_id);
      if (reserved) {
        console.warn(
          `[esia-emulator] the client "${client.client_id}" registered at run time is skipped: it ${reserved} now.`,
        );
        continue;
      }
      await storeClient(this.provider, this.storage, client).then(
        () => this.onRegistered(client),
        (error: Error) =>
          console.warn(
            `[esia-emulator] the client "${client.client_id}" kept in the data file is skipped: ${error.message}`,
          ),
      );
    }
  }
}
