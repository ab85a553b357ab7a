/*
 * The relying party's outgoing e-mail (G6): notifications also go by e-mail over real SMTP, to the
 * emulator's SMTP listener on the stand (RpConfig smtpUrl) or any SMTP server a user points it at.
 * send() queues and returns at once, so a page or a control call never waits for the mail server;
 * a failure is logged and kept in the run's delivery log, never an error page. Each message names
 * its run (`X-Esia-Run`), so the emulator files it in that run's inbox. settled(run) resolves when
 * everything queued for the run so far has been delivered or has failed: tests and the scenario
 * step wait on it instead of sleeping.
 */
import type { Transporter } from 'nodemailer';

export interface OutgoingMail {
  /** The run of the stand the message belongs to (Workspace id). */
  run: string;
  /** One message, to each of these addresses. */
  to: string[];
  subject: string;
  text: string;
  /** What it is about (a notification's kind), sent as `X-Esia-Kind`. */
  kind?: string;
}

export interface Delivery {
  to: string[];
  subject: string;
  kind?: string;
  /** ISO instant, real time: when the SMTP server answered. */
  at: string;
  outcome: 'sent' | 'failed';
  /** The SMTP server's reply, or why the connection failed. */
  response: string;
}

/** Deliveries remembered per run, newest last: enough to see what happened, bounded. */
const logKept = 50;

/** Where to connect; the transport itself is made at the first message (requiring nodemailer is slow for a start-up). */
interface SmtpTarget {
  host: string;
  port: number;
}

export class Postman {
  readonly #target: SmtpTarget | undefined;
  #transport: Promise<Transporter> | undefined;
  readonly #queues = new Map<string, Promise<void>>();
  readonly #log = new Map<string, Delivery[]>();
  /** Where links in the messages point: the relying party's public URL, known once it listens. */
  origin = '';

  /**
   * `smtpUrl` like smtp://127.0.0.1:2525 (plain SMTP, no authentication: the stand's mail sink); undefined = no e-mail.
   */
  constructor(
    smtpUrl: string | undefined,
    readonly from: { name: string; address: string },
    private readonly log: (entry: Record<string, unknown>) => void,
  ) {
    if (!smtpUrl) return;
    const url = new URL(smtpUrl);
    this.#target = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 25) };
  }

  #connection(target: SmtpTarget): Promise<Transporter> {
    this.#transport ??= import('nodemailer').then(({ createTransport }) =>
      createTransport({
        ...target,
        secure: false,
        ignoreTLS: true,
        connectionTimeout: 5_000,
        greetingTimeout: 5_000,
        socketTimeout: 10_000,
      }),
    );
    return this.#transport;
  }

  /** Queues the message for its run; returns at once. */
  send(mail: OutgoingMail): void {
    const target = this.#target;
    if (!target) return;
    const previous = this.#queues.get(mail.run) ?? Promise.resolve();
    const next = previous.then(async () => {
      let delivery: Delivery;
      try {
        const transport = await this.#connection(target);
        const info = await transport.sendMail({
          from: this.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          headers: { 'X-Esia-Run': mail.run, ...(mail.kind ? { 'X-Esia-Kind': mail.kind } : {}) },
        });
        delivery = this.#delivery(mail, 'sent', String(info.response));
      } catch (err) {
        delivery = this.#delivery(mail, 'failed', (err as Error).message);
        this.log({ event: 'mail_failed', run: mail.run, to: mail.to, kind: mail.kind, error: delivery.response });
      }
      const list = this.#log.get(mail.run) ?? [];
      list.push(delivery);
      if (list.length > logKept) list.shift();
      this.#log.set(mail.run, list);
    });
    this.#queues.set(mail.run, next);
    // The queue's tail is forgotten once it is done, so finished runs leave nothing behind.
    void next.then(() => {
      if (this.#queues.get(mail.run) === next) this.#queues.delete(mail.run);
    });
  }

  /** Resolves when every message queued for the run so far is delivered or has failed; returns the run's delivery log. */
  async settled(run: string): Promise<Delivery[]> {
    await this.#queues.get(run);
    return [...(this.#log.get(run) ?? [])];
  }

  /** A reset run starts with an empty delivery log (what is still queued is delivered). */
  forget(run: string): void {
    this.#log.delete(run);
  }

  #delivery(mail: OutgoingMail, outcome: Delivery['outcome'], response: string): Delivery {
    return {
      to: mail.to,
      subject: mail.subject,
      ...(mail.kind ? { kind: mail.kind } : {}),
      at: new Date().toISOString(),
      outcome,
      response,
    };
  }

  /** Delivers what is queued (each message is bounded by the timeouts above), then closes the connection. */
  async close(): Promise<void> {
    await Promise.all(this.#queues.values());
    (await this.#transport)?.close();
  }
}
