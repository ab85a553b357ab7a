/*
 * Answered writes survive `kill -9`: the emulator (start.ts, as a child process) takes a burst of
 * concurrent state changes of four kinds — support-console notes, control-API account PATCHes,
 * wrong passwords through the sign-in screens, client registrations — every answered one is
 * recorded, the process is SIGKILLed after a given number of answers, restarted on the same data
 * folder, and each answered change is looked for. Shared by test/idp/crash_durability.test.ts
 * (small, bounded) and bench/crash.ts (the figures). Seeded: the mix of changes is reproducible.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { prng } from '../scenarios/runner/fuzz.ts';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { freePort } from '../scenarios/runner/stand.ts';

const repoRoot = new URL('..', import.meta.url).pathname;

export interface CrashEmulator {
  url: string;
  child: ChildProcess;
  kill(): Promise<void>;
}

/** start.ts without relying parties, on `dataDir`; cheap password hashes and no lockout, so wrong passwords only count. */
export async function spawnEmulator(dataDir: string, keysDir: string, timeoutMs = 60_000): Promise<CrashEmulator> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ESIA_RP: 'off',
    ESIA_LOG: 'off',
    ESIA_MTLS_PORT: 'off',
    ESIA_PORT: String(port),
    ESIA_SMTP_PORT: '0',
    ESIA_DATA_DIR: dataDir,
    ESIA_KEYS_DIR: keysDir,
    ESIA_SCRYPT_N: '1024',
    ESIA_LOCKOUT_LIMIT: '1000',
  };
  for (const key of ['ESIA_ISSUER', 'ESIA_PERSONAS', 'ESIA_CONTROL', 'ESIA_HOST', 'ESIA_SUPPORT']) delete env[key];
  const child = spawn(process.execPath, ['--import', 'tsx', 'start.ts'], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 8192) stderr += chunk;
  });
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`emulator exited with ${child.exitCode}:\n${stderr}`);
    const ready = await fetch(`${url}/__health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return { url, child, kill };
    await sleep(50);
  }
  await kill();
  throw new Error(`emulator not ready in ${timeoutMs} ms:\n${stderr}`);
}

interface PersonaState {
  persona: string;
  oid: string;
  phone: string;
  state: { locked: boolean; failedAttempts: number; trust: string; emailConfirmed: boolean };
}

/** The support console's operator, signed in: posts its forms with the session cookie and CSRF token. */
async function operatorPoster(
  url: string,
): Promise<(path: string, fields: Record<string, string>) => Promise<Response>> {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  // As a browser: open /support first, for the form cookie and the sign-in form's token.
  const signInPage = await fetch(`${url}/support`);
  const formCookie =
    signInPage.headers
      .getSetCookie()
      .find((c) => c.startsWith('esia_form='))
      ?.split(';')[0] ?? '';
  const formToken = /name="csrf_token" value="([^"]+)"/.exec(await signInPage.text())?.[1] ?? '';
  const login = await fetch(`${url}/support/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...form, cookie: formCookie },
    body: new URLSearchParams({ csrf_token: formToken, login: 'operator', password: 'Operator-1234' }),
  });
  const session =
    login.headers
      .getSetCookie()
      .find((c) => c.startsWith('esia_support='))
      ?.split(';')[0] ?? '';
  const cookie = [session, formCookie].filter(Boolean).join('; ');
  const csrf =
    /name="csrf" value="([^"]+)"/.exec(await (await fetch(`${url}/support`, { headers: { cookie } })).text())?.[1] ??
    '';
  if (!session || !csrf) throw new Error(`support console sign-in failed (${login.status})`);
  return (path, fields) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { ...form, cookie },
      body: new URLSearchParams({ csrf, csrf_token: formToken, ...fields }),
    });
}

const personasOf = async (url: string): Promise<PersonaState[]> =>
  (await fetch(`${url}/__control/personas`)).json() as Promise<PersonaState[]>;

/** A PATCH chain's n-th state: six distinct ones in a cycle, so the last answered one is told from its neighbours. */
const trusts = ['simplified', 'standard', 'confirmed'] as const;
const patchState = (n: number) => ({ trust: trusts[n % 3], emailConfirmed: Math.floor(n / 3) % 2 === 0 });
const sameState = (a: { trust: string; emailConfirmed: boolean }, b: { trust: string; emailConfirmed: boolean }) =>
  a.trust === b.trust && a.emailConfirmed === b.emailConfirmed;

/** What one round sent and had answered, and what the restarted emulator had lost of the answered. */
export interface RoundResult {
  sent: number;
  answered: number;
  /** Answered changes missing after the restart, by kind. */
  lost: { notes: number; patches: number; wrongPasswords: number; clients: number };
  answeredByKind: { notes: number; patches: number; wrongPasswords: number; clients: number };
  /** The first few losses, described. */
  details: string[];
}

export interface RoundOptions {
  /** Changes to send in the round. */
  total: number;
  /** SIGKILL once this many have been answered. */
  killAfter: number;
  concurrency: number;
  seed: number;
  /** Distinguishes this round's notes and clients from other rounds' on the same data folder. */
  round: number;
}

type Kind = keyof RoundResult['lost'];

/**
 * One round against a running emulator: sends the changes, kills it after `killAfter` answers,
 * restarts it on the same folder (`restart`), checks, and returns the restarted emulator with the result.
 */
export async function crashRound(
  emulator: CrashEmulator,
  restart: () => Promise<CrashEmulator>,
  dataFile: string,
  options: RoundOptions,
): Promise<{ emulator: CrashEmulator; result: RoundResult }> {
  const rnd = prng(options.seed);
  const personas = (await personasOf(emulator.url)).filter((p) => !p.state.locked && p.phone);
  if (personas.length < 4) throw new Error(`need at least 4 unlocked personas with a phone, found ${personas.length}`);
  // Disjoint roles: PATCHed personas never sign in, so a PATCH cannot change how a wrong password is counted.
  const patched = personas.slice(0, 2);
  const signingIn = personas.slice(2);
  const post = await operatorPoster(emulator.url);
  const before = new Map(personas.map((p) => [p.persona, p]));

  const answeredNotes: string[] = [];
  const answeredClients: string[] = [];
  const answeredWrong = new Map<string, number>();
  const sentWrong = new Map<string, number>();
  const chain = new Map(
    patched.map((p) => [p.persona, { next: 0, last: undefined as number | undefined, running: Promise.resolve() }]),
  );
  const answeredByKind = { notes: 0, patches: 0, wrongPasswords: 0, clients: 0 };
  let answered = 0;
  let sent = 0;
  let killed: Promise<void> | undefined;
  const onAnswer = (kind: Kind) => {
    answered += 1;
    answeredByKind[kind] += 1;
    if (answered >= options.killAfter) killed ??= emulator.kill();
  };

  const operations: Array<() => Promise<void>> = Array.from({ length: options.total }, (_, i) => {
    const roll = rnd();
    const id = `r${options.round}-${i}`;
    if (roll < 0.3) {
      const who = personas[Math.floor(rnd() * personas.length)]!;
      return async () => {
        const res = await post(`/support/accounts/${who.oid}/note`, { text: `crash-note ${id}` });
        if (res.status === 303) {
          answeredNotes.push(`${who.persona}|crash-note ${id}`);
          onAnswer('notes');
        }
      };
    }
    if (roll < 0.5) {
      const who = patched[Math.floor(rnd() * patched.length)]!;
      return () => {
        const c = chain.get(who.persona)!;
        // One PATCH in flight per persona: the last answered state is then known exactly.
        const run = c.running.then(async () => {
          if (killed) return;
          const n = c.next++;
          const res = await fetch(`${emulator.url}/__control/accounts/${who.persona}`, {
            method: 'PATCH',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(patchState(n)),
          });
          await res.arrayBuffer();
          if (res.status === 200) {
            c.last = n;
            onAnswer('patches');
          }
        });
        c.running = run.catch(() => {});
        return run;
      };
    }
    if (roll < 0.9) {
      const who = signingIn[Math.floor(rnd() * signingIn.length)]!;
      return async () => {
        const b = new HttpBrowser();
        await b.goto(
          `${emulator.url}/auth?${new URLSearchParams({ client_id: 'fmrm', redirect_uri: 'http://localhost:4000/callback', response_type: 'code', scope: 'openid', state: id, nonce: id, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })}`,
        );
        if (killed) return;
        sentWrong.set(who.persona, (sentWrong.get(who.persona) ?? 0) + 1);
        await b.click('submit', { identifier: who.phone, password: `Wrong-${id}` });
        if (b.errorCode() === 'login.invalid_credentials') {
          answeredWrong.set(who.persona, (answeredWrong.get(who.persona) ?? 0) + 1);
          onAnswer('wrongPasswords');
        }
      };
    }
    return async () => {
      const client = {
        client_id: `crash-${id}`,
        client_secret: `secret-${id}`,
        redirect_uris: ['http://localhost:9/callback'],
        scope: 'openid',
      };
      const res = await fetch(`${emulator.url}/__control/clients`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(client),
      });
      await res.arrayBuffer();
      if (res.status === 201) {
        answeredClients.push(client.client_id);
        onAnswer('clients');
      }
    };
  });

  let next = 0;
  const worker = async () => {
    while (!killed && next < operations.length) {
      const op = operations[next++]!;
      sent += 1;
      await op().catch(() => {}); // a request cut by the kill is simply not answered
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await (killed ?? emulator.kill());

  const restarted = await restart();
  const after = new Map((await personasOf(restarted.url)).map((p) => [p.persona, p]));
  const file = JSON.parse(await readFile(dataFile, 'utf8')) as {
    accounts: Array<{ persona: string; notes?: Array<{ text: string }> }>;
    clients?: Array<{ client_id: string }>;
  };
  const notesOnDisk = new Set(file.accounts.flatMap((a) => (a.notes ?? []).map((n) => `${a.persona}|${n.text}`)));
  const clientsOnDisk = new Set((file.clients ?? []).map((c) => c.client_id));
  const lost = { notes: 0, patches: 0, wrongPasswords: 0, clients: 0 };
  const details: string[] = [];
  const lose = (kind: Kind, what: string) => {
    lost[kind] += 1;
    if (details.length < 10) details.push(what);
  };
  for (const note of answeredNotes) if (!notesOnDisk.has(note)) lose('notes', `note ${note}`);
  for (const id of answeredClients) if (!clientsOnDisk.has(id)) lose('clients', `client ${id}`);
  for (const [persona, count] of answeredWrong) {
    const was = before.get(persona)!.state.failedAttempts;
    const now = after.get(persona)?.state.failedAttempts ?? 0;
    // Counted: at least every answered wrong password; a sent one may count too.
    if (now < was + count)
      for (let i = now; i < was + count; i++)
        lose('wrongPasswords', `${persona}: failedAttempts ${now}, expected at least ${was} + ${count} answered`);
  }
  for (const [persona, c] of chain) {
    if (c.last === undefined) continue;
    const now = after.get(persona)!.state;
    // The last answered PATCH, or the next one (sent, perhaps applied, never answered).
    if (!sameState(now, patchState(c.last)) && !sameState(now, patchState(c.last + 1)))
      lose(
        'patches',
        `${persona}: ${JSON.stringify(now)} after PATCH #${c.last} ${JSON.stringify(patchState(c.last))} was answered`,
      );
  }
  return { emulator: restarted, result: { sent, answered, lost, answeredByKind, details } };
}
