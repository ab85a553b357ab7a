/*
 * The emulator's SMTP listener: relying parties (ours, and a user's own application) send e-mail
 * over real SMTP, and each message lands in the run's e-mail inbox by recipient, where the control
 * API (GET /__control/inbox/email), the trainer's run page and the scenarios read it. The run is the
 * one the message's `X-Esia-Run` header names, else the main run.
 *
 * No TLS and no authentication: it is a test stand's mail sink, bound to loopback like everything
 * else, and it answers only clients on this machine. Bad input gets an SMTP error reply that says
 * what was wrong; nothing a client sends can stop the listener.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream } from 'smtp-server';
import { isLoopback } from '../../lib/http/loopback.ts';

/** A message as the inbox keeps it: one per envelope recipient. */
export interface ReceivedMail {
  /** The run the `X-Esia-Run` header names; undefined for the main run. */
  run: string | undefined;
  to: string;
  from: string;
  subject: string;
  text: string;
  /** What the message is (header `X-Esia-Kind`), e.g. document.rejected, so tests need not parse text. */
  kind?: string;
}

/** Puts one received message into its run's inbox; returns why it cannot (e.g. no such run), or undefined. */
/** Files one received message; resolves to why it was refused, or undefined when it was taken. */
export type MailDelivery = (mail: ReceivedMail) => Promise<string | undefined>;

export interface SmtpListener {
  /** smtp://127.0.0.1:<port> */
  url: string;
  port: number;
  close(): Promise<void>;
}

export const smtpLimits = {
  /** Whole message as sent (headers and encoded body): e-mail notices are small; attachments are not what this is for. */
  messageBytes: 1024 * 1024,
  recipients: 20,
} as const;

/** An SMTP refusal: the reply code and the text the client shows. */
function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** The body as received, at most `limit` bytes kept: past it the rest is drained, never held. */
async function readUpTo(stream: SMTPServerDataStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function startSmtpListener(
  deliver: MailDelivery,
  options: { host: string; port: number; log?: (line: string) => void },
): Promise<SmtpListener> {
  const log = options.log ?? (() => {});
  const server = new SMTPServer({
    banner: 'ЕСИА emulator test-stand mail sink: no TLS, no AUTH, loopback only',
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    size: smtpLimits.messageBytes,
    logger: false,
    // A client that stalls holds one socket, not the listener.
    socketTimeout: 30_000,
    maxClients: 50,
    // close() waits this long for clients still connected, then closes their sockets.
    closeTimeout: 500,
    onConnect(session, callback) {
      if (!isLoopback(session.remoteAddress))
        return callback(smtpError(554, '5.7.1 This test-stand mail sink answers only clients on this machine'));
      callback();
    },
    // smtp-server itself answers 501 to an address that is not address syntax, in MAIL FROM and RCPT TO.
    onRcptTo(_address: SMTPServerAddress, session, callback) {
      if (session.envelope.rcptTo.length >= smtpLimits.recipients)
        return callback(smtpError(452, `4.5.3 At most ${smtpLimits.recipients} recipients per message`));
      callback();
    },
    onData(stream, session, callback) {
      readUpTo(stream, smtpLimits.messageBytes)
        .then(async (raw) => {
          if (stream.sizeExceeded)
            throw smtpError(552, `5.3.4 The message is larger than ${smtpLimits.messageBytes} bytes`);
          // Loaded at the first message: requiring mailparser costs more than half a second, too much for every start.
          const { simpleParser } = await import('mailparser');
          const parsed = await simpleParser(raw).catch((err: Error) => {
            throw smtpError(554, `5.6.0 The message could not be read: ${err.message}`);
          });
          const header = (name: string) => {
            const value = parsed.headers.get(name);
            return typeof value === 'string' ? value.trim() : undefined;
          };
          const run = header('x-esia-run') || undefined;
          const kind = header('x-esia-kind');
          const from = parsed.from?.value[0]?.address ?? (session.envelope.mailFrom || undefined)?.address ?? '';
          for (const rcpt of session.envelope.rcptTo) {
            const refused = await deliver({
              run,
              to: rcpt.address,
              from,
              subject: parsed.subject ?? '',
              text: (parsed.text ?? '').trim(),
              ...(kind ? { kind } : {}),
            });
            if (refused) throw smtpError(550, `5.1.0 ${refused}`);
          }
          log(`smtp: ${session.envelope.rcptTo.length} recipient(s), run ${run ?? 'main'}, kind ${kind ?? '—'}`);
        })
        .then(
          () => callback(),
          (err: Error & { responseCode?: number }) =>
            callback(err.responseCode ? err : smtpError(451, `4.3.0 The message was not taken: ${err.message}`)),
        );
    },
  });
  // Socket errors of one client (a reset, a timeout) are reported here; they must not stop the emulator.
  server.on('error', (err: Error) => log(`smtp: ${err.message}`));
  await new Promise<void>((ok, fail) => {
    server.server.once('error', fail);
    server.listen(options.port, options.host, () => {
      server.server.off('error', fail);
      ok();
    });
  });
  const { port } = server.server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `smtp://${host}:${port}`,
    port,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
