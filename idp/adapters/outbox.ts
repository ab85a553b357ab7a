/*
 * The emulator's SMS and e-mail gateway: messages land in inboxes that tests, trainers and the
 * control API read instead of a phone. Faults can be armed: the next sends fail, or are delayed
 * (a delayed message becomes visible when the clock reaches its delivery time).
 */
import type { Clock } from '../domain/clock.ts';
import { EsiaError } from '../errors/esia_error.ts';
import type { Faults } from './faults.ts';

export type Channel = 'sms' | 'email';

export interface Message {
  id: number;
  channel: Channel;
  to: string;
  text: string;
  /** The one-time code in the message, if any, so tests need not parse text. */
  code?: string;
  /** E-mail subject. */
  subject?: string;
  /** What the message is, e.g. `security.sign_in` (idp/adapters/notifications.ts), so tests need not parse text. */
  kind?: string;
  /** Sender of an e-mail received over SMTP (adapters/smtp_listener.ts); the emulator's own messages have none. */
  from?: string;
  sentAt: string;
  deliverAt: string;
}

/** Kept per inbox; older messages are dropped so a long benchmark cannot grow memory without bound. */
const perRecipient = 20;

/**
 * How message ids are given: counted from 1 by this process, or (runs shared by several processes,
 * idp/shared) from the real time in microseconds, so two processes sending at once need no shared
 * counter and the newest message still has the highest id.
 */
export type IdState = { next: number } | { ids: 'time' };

export class Outbox {
  #next = 1;
  #timeIds = false;
  readonly #messages = new Map<string, Message[]>();

  constructor(
    readonly clock: Clock,
    readonly faults: Faults,
  ) {}

  send(
    channel: Channel,
    to: string,
    text: string,
    code?: string,
    meta: { subject?: string; kind?: string; from?: string } = {},
  ): Message {
    const now = this.clock.now();
    let deliverAt = now;
    const fault = channel === 'sms' ? this.faults.take('sms.fail', 'sms.delay') : undefined;
    if (fault?.kind === 'sms.fail') throw new EsiaError('otp.delivery_failed', { fault: 'sms.fail', to });
    if (fault) deliverAt = now + (fault.seconds ?? 0) * 1000;
    const id = this.#timeIds ? Math.max(this.#next, Date.now() * 1000) : this.#next;
    this.#next = id + 1;
    const message: Message = {
      id,
      channel,
      to,
      text,
      ...(code ? { code } : {}),
      ...(meta.subject ? { subject: meta.subject } : {}),
      ...(meta.kind ? { kind: meta.kind } : {}),
      ...(meta.from ? { from: meta.from } : {}),
      sentAt: new Date(now).toISOString(),
      deliverAt: new Date(deliverAt).toISOString(),
    };
    const key = `${channel}:${to}`;
    const list = this.#messages.get(key) ?? [];
    list.push(message);
    if (list.length > perRecipient) list.shift();
    this.#messages.set(key, list);
    return message;
  }

  /** Delivered messages, newest first; all recipients of the channel when `to` is omitted. */
  read(channel: Channel, to?: string): Message[] {
    const now = this.clock.now();
    const lists = to
      ? [this.#messages.get(`${channel}:${to}`) ?? []]
      : [...this.#messages.entries()].filter(([k]) => k.startsWith(`${channel}:`)).map(([, v]) => v);
    return lists
      .flat()
      .filter((m) => Date.parse(m.deliverAt) <= now)
      .sort((a, b) => b.id - a.id);
  }

  clear(): void {
    this.#messages.clear();
  }

  /** Every inbox by key (`sms:+7…`, `email:…`): what idp/shared/run_snapshot.ts shares between processes. */
  inboxes(): IterableIterator<[string, Message[]]> {
    return this.#messages.entries();
  }

  /** Puts back an inbox as another process left it (removed when `messages` is undefined). */
  restoreInbox(key: string, messages: Message[] | undefined): void {
    if (messages) this.#messages.set(key, messages);
    else this.#messages.delete(key);
  }

  /** An inbox as another process left it, merged with this one's: both processes' messages, by id (the newest kept). */
  mergeInbox(key: string, theirs: Message[]): void {
    const byId = new Map([...theirs, ...(this.#messages.get(key) ?? [])].map((m) => [m.id, m]));
    this.#messages.set(key, [...byId.values()].sort((a, b) => a.id - b.id).slice(-perRecipient));
  }

  /** Ids from the real time from now on (runs shared by several processes). */
  useTimeIds(): void {
    this.#timeIds = true;
  }

  /** What another process needs to give the next id: the counter, or nothing with time ids. */
  idState(): IdState {
    return this.#timeIds ? { ids: 'time' } : { next: this.#next };
  }

  restoreIdState(state: IdState): void {
    if ('ids' in state) this.#timeIds = true;
    else this.#next = state.next;
  }
}
