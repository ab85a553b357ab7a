/*
 * The emulator's SMTP listener (G6): a message sent with a standard mail library lands in the inbox
 * of the run its X-Esia-Run header names (else the main run), by recipient, readable through the
 * control API; too large a message, too many recipients, a bad address, an unknown run and raw
 * garbage get SMTP error replies, and the listener keeps answering.
 */
import test from 'ava';
import { connect } from 'node:net';
import { createTransport } from 'nodemailer';
import { smtpLimits } from '../../idp/adapters/smtp_listener.ts';
import { configFromEnv } from '../../idp/config/index.ts';
import { ConfigFileError } from '../../lib/errors.ts';
import { rpConfig } from '../../relying-party/config.ts';
import { newRun, type Stand, startStand } from '../../scenarios/runner/stand.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

const transport = () => {
  const url = new URL(stand.smtp!);
  return createTransport({ host: url.hostname, port: Number(url.port), secure: false, ignoreTLS: true });
};

type Inbox = { messages: Array<{ to: string; subject?: string; text: string; kind?: string; from?: string }> };
const inbox = (to: string, run?: string) =>
  stand.control<Inbox>('GET', `/inbox/email?to=${encodeURIComponent(to)}${run ? `&run=${run}` : ''}`);

/** One SMTP conversation over a raw socket: the lines sent, one after another after each reply; the replies. */
async function converse(lines: string[]): Promise<string[]> {
  const url = new URL(stand.smtp!);
  const socket = connect(Number(url.port), url.hostname);
  const replies: string[] = [];
  let buffer = '';
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    // A reply is complete on a line "NNN text" (a space after the code, not a dash).
    const done = /(^|\r\n)\d{3} [^\r\n]*\r\n$/.test(buffer);
    if (done) {
      replies.push(buffer.trim());
      buffer = '';
      waiting?.();
    }
  });
  const next = () => new Promise<void>((ok) => (waiting = ok));
  await next(); // the greeting
  for (const line of lines) {
    socket.write(`${line}\r\n`);
    await next();
  }
  socket.destroy();
  return replies;
}

test('a message sent with nodemailer lands in the main run’s inbox by recipient, with subject, text, kind and sender', async (t) => {
  const info = await transport().sendMail({
    from: 'Моё приложение <app@example.test>',
    to: 'smtp-main@example.test',
    subject: 'Документ принят',
    text: 'Ваш диплом принят проверяющим.',
    headers: { 'X-Esia-Kind': 'document.accepted' },
  });
  t.regex(info.response, /^250 /);
  const { messages } = await inbox('smtp-main@example.test');
  t.is(messages.length, 1);
  t.like(messages[0], {
    to: 'smtp-main@example.test',
    subject: 'Документ принят',
    text: 'Ваш диплом принят проверяющим.',
    kind: 'document.accepted',
    from: 'app@example.test',
  });
});

test('X-Esia-Run files the message in that run only; every envelope recipient gets it', async (t) => {
  const { run, end } = await newRun(stand);
  t.teardown(end);
  await transport().sendMail({
    from: 'app@example.test',
    to: ['one@example.test', 'two@example.test'],
    subject: 'В прогоне',
    text: 'Текст',
    headers: { 'X-Esia-Run': run },
  });
  t.is((await inbox('one@example.test', run)).messages.length, 1);
  t.is((await inbox('two@example.test', run)).messages[0]?.subject, 'В прогоне');
  t.is((await inbox('one@example.test')).messages.length, 0, 'the main run saw nothing');
});

test('an unknown run in X-Esia-Run is refused with an SMTP error that names it', async (t) => {
  const error = await t.throwsAsync(
    transport().sendMail({
      from: 'app@example.test',
      to: 'nobody@example.test',
      subject: 'x',
      text: 'x',
      headers: { 'X-Esia-Run': 'run-000000000000' },
    }),
  );
  t.regex(String(error?.message), /550 5\.1\.0 X-Esia-Run names no run of this emulator: "run-000000000000"/);
});

test('a message over the size limit is refused with 552, and nothing lands in the inbox', async (t) => {
  const error = await t.throwsAsync(
    transport().sendMail({
      from: 'app@example.test',
      to: 'big@example.test',
      subject: 'Большое',
      text: 'я'.repeat(smtpLimits.messageBytes),
    }),
  );
  t.regex(String(error?.message), /552/);
  t.is((await inbox('big@example.test')).messages.length, 0);
});

test('bad input gets SMTP error replies and the listener keeps working', async (t) => {
  const replies = await converse([
    'HELO test',
    'NONSENSE',
    'AUTH PLAIN AGFAYQ==',
    'STARTTLS',
    'MAIL FROM:<not an address>',
    'MAIL FROM:<app@example.test>',
    'RCPT TO:<nobody>',
    ...Array.from({ length: smtpLimits.recipients + 1 }, (_, i) => `RCPT TO:<r${i}@example.test>`),
    'DATA',
    'Subject: без заголовка From\r\n\r\nтело\r\n.',
  ]);
  const [greeting, , nonsense, auth, starttls, badFrom, goodFrom, badRcpt, ...rest] = replies;
  t.regex(greeting!, /^220 .*no TLS, no AUTH, loopback only/);
  t.regex(nonsense!, /^5\d\d /);
  t.regex(auth!, /^5\d\d /);
  t.regex(starttls!, /^5\d\d /);
  t.regex(badFrom!, /^5\d\d .*sender/i);
  t.regex(goodFrom!, /^250 /);
  t.regex(badRcpt!, /^5\d\d .*recipient/i);
  const rcpts = rest.slice(0, smtpLimits.recipients + 1);
  t.true(rcpts.slice(0, smtpLimits.recipients).every((r) => r.startsWith('250 ')));
  t.regex(rcpts.at(-1)!, /^452 4\.5\.3 At most 20 recipients per message/);
  t.regex(rest.at(-1)!, /^250 /, 'the message to the accepted recipients is taken');
  t.is((await inbox('r0@example.test')).messages[0]?.subject, 'без заголовка From');
  // A client that hangs up mid-message changes nothing for the next one.
  await converse(['HELO x', 'MAIL FROM:<a@example.test>', 'RCPT TO:<cut@example.test>', 'DATA']);
  const info = await transport().sendMail({
    from: 'a@example.test',
    to: 'after@example.test',
    subject: 's',
    text: 't',
  });
  t.regex(info.response, /^250 /);
  t.is((await inbox('cut@example.test')).messages.length, 0);
});

test('ESIA_SMTP_PORT is 2525 unless set, 0 is any free port, ESIA_SMTP=off turns the listener off; RP_SMTP_URL must be smtp://host:port', (t) => {
  t.is(configFromEnv({}).smtpPort, 2525);
  t.is(configFromEnv({ ESIA_SMTP_PORT: '0' }).smtpPort, 0);
  t.is(configFromEnv({ ESIA_SMTP: 'off', ESIA_SMTP_PORT: '2526' }).smtpPort, null);
  t.throws(() => configFromEnv({ ESIA_SMTP_PORT: 'mail' }), { instanceOf: ConfigFileError, message: /ESIA_SMTP_PORT/ });
  t.is(rpConfig({ smtpUrl: 'smtp://127.0.0.1:2525' }).smtpUrl, 'smtp://127.0.0.1:2525');
  t.throws(() => rpConfig({ smtpUrl: 'smtps://user:pw@mail.example:465' }), {
    instanceOf: ConfigFileError,
    message: /smtpUrl: expected smtp:\/\/host:port/,
  });
});

test('with the listener off (smtpPort null) the emulator opens no SMTP port', async (t) => {
  const off = await startStand({ smtpPort: null });
  t.teardown(() => off.close());
  t.is(off.smtp, undefined);
  t.is(off.emulator?.smtp, undefined);
});
