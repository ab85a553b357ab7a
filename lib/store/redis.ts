/*
 * The Redis connection of the shared store (ESIA_STORE=redis://…), on ioredis. Two rules make a lost
 * Redis harmless: the offline queue is off, so a command sent while Redis is down fails at once instead
 * of piling up for a reconnect that may never come (every operation then throws StoreUnavailable, which
 * the error boundaries answer with 503); and once the first connection is made, the client reconnects
 * forever with a capped backoff, so service resumes by itself when Redis is back. At start, on the
 * contrary, an unreachable Redis is the operator's mistake: one clear error naming the URL.
 */
import { Redis, ReplyError, type ChainableCommander } from 'ioredis';
import { CodedError } from '../errors.ts';

/** Redis cannot be reached at start (wrong URL, server not running): start-up prints the message and exits. */
export class StoreConnectError extends CodedError<'store.unreachable'> {
  override name = 'StoreConnectError';
  constructor(url: string, why: string, options: { cause?: unknown } = {}) {
    super('store.unreachable', `Cannot reach Redis at ${url}: ${why}`, {
      status: 500,
      details: { url, why },
      cause: options.cause,
    });
  }
}

/** The shared store is down while the emulator runs: the request is answered 503, and it passes. */
export class StoreUnavailable extends CodedError<'store.unavailable'> {
  override name = 'StoreUnavailable';
  constructor(url: string, why: string, options: { cause?: unknown } = {}) {
    super('store.unavailable', `Redis at ${url} is unavailable: ${why}`, {
      status: 503,
      details: { url, why },
      cause: options.cause,
    });
  }
}

/** An error that says the store is down: what the error boundaries answer with 503. */
export function isStoreUnavailable(error: unknown): error is StoreUnavailable {
  return error instanceof CodedError && error.code === 'store.unavailable';
}

/** A command's failure that means Redis is not there (connection lost, refused, timed out, still loading). */
function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // Redis answered: an error of the command itself, except while it loads its append-only file after a restart.
  if (error instanceof ReplyError) return /^(LOADING|MASTERDOWN|TRYAGAIN)\b/.test(error.message);
  return !(error instanceof CodedError);
}

/** The URL as it may be printed: a password in it is masked. */
export function printableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** What is wrong with a store URL, or undefined when it is a redis:// (or rediss://) URL ioredis takes. */
export function redisUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    return `the scheme is ${parsed.protocol} instead of redis:`;
  if (!parsed.hostname) return 'no host';
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) return `the database "${db}" is not a number 0–15`;
  return undefined;
}

export interface ConnectRedisOptions {
  /** How long the first connection may take (default 5 s). */
  connectTimeoutMs?: number;
  /** How long one command may take before it counts as the store being down (default 5 s). */
  commandTimeoutMs?: number;
  /** The longest pause between two reconnect attempts (default 2 s). */
  maxBackoffMs?: number;
  /** Where the outage and the recovery are reported, once each (default console.error). */
  log?: (line: string) => void;
}

/**
 * Connects to Redis; rejects with StoreConnectError when it cannot. The client returned throws
 * StoreUnavailable from every command (pipelines and MULTI included) while Redis is down.
 */
export async function connectRedis(url: string, options: ConnectRedisOptions = {}): Promise<Redis> {
  const shown = printableUrl(url);
  const problem = redisUrlProblem(url);
  if (problem) throw new StoreConnectError(shown, `not a Redis URL (${problem}); expected redis://host:port/db`);
  const log = options.log ?? ((line: string) => console.error(line));
  let connected = false;
  let down = false;
  let startError: unknown;
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    // A command in flight when the connection drops fails at once rather than being replayed later.
    maxRetriesPerRequest: 0,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    commandTimeout: options.commandTimeoutMs ?? 5000,
    // Before the first connection: give up (start fails). After: forever, 100 ms more each try, capped.
    retryStrategy: (times) => (connected ? Math.min(times * 100, options.maxBackoffMs ?? 2000) : null),
  });
  // Every failed reconnect attempt emits 'error': report the outage once, and the recovery once.
  client.on('error', (error: Error) => {
    if (!connected) startError = error;
    if (!connected || down) return;
    down = true;
    log(`esia-emulator: Redis at ${shown} is unavailable (${describe(error)}); retrying until it is back`);
  });
  client.on('close', () => {
    if (connected && !down && client.status !== 'end') {
      down = true;
      log(`esia-emulator: Redis at ${shown} is unavailable (connection closed); retrying until it is back`);
    }
  });
  client.on('ready', () => {
    if (down) log(`esia-emulator: Redis at ${shown} is back`);
    down = false;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    // ioredis rejects with "Connection is closed."; the socket's own error says why (ECONNREFUSED…).
    throw new StoreConnectError(shown, describe(startError ?? error), { cause: startError ?? error });
  }
  connected = true;
  guardCommands(client, shown);
  return client;
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { errors?: unknown[] };
  // Node's AggregateError (IPv4 and IPv6 both refused) has the code but an empty message.
  return e.code ?? (e.message || String(error));
}

/** Connection-level failures of every command become StoreUnavailable; Redis's own replies pass as they are. */
function guardCommands(client: Redis, shown: string): void {
  const unavailable = (error: unknown) =>
    isConnectionFailure(error) ? new StoreUnavailable(shown, describe(error), { cause: error }) : error;
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    const result = (send(...args) as Promise<unknown>).catch((error: unknown) => {
      throw unavailable(error);
    });
    // Pipelines send through here and read each command's own promise: this one must not go unhandled.
    result.catch(() => {});
    return result;
  }) as Redis['sendCommand'];
  for (const kind of ['multi', 'pipeline'] as const) {
    const make = (client[kind] as (...a: unknown[]) => ChainableCommander).bind(client);
    (client as unknown as Record<string, unknown>)[kind] = (...a: unknown[]) => {
      const batch = make(...a);
      const exec = batch.exec.bind(batch);
      batch.exec = (async () => {
        let results: Awaited<ReturnType<typeof exec>>;
        try {
          results = await exec();
        } catch (error) {
          throw unavailable(error);
        }
        const failed = results?.find(([error]) => isConnectionFailure(error))?.[0];
        if (failed) throw unavailable(failed);
        return results;
      }) as typeof batch.exec;
      return batch;
    };
  }
}
