/*
 * kill -9 of one of two emulator processes (on one Redis, behind the round-robin proxy) while
 * sign-ins run: the other process keeps serving, and a sign-in whose password step the killed process
 * answered finishes on the survivor. Requests the killed process had in hand when it died fail (the
 * proxy answers 502 rather than post a form twice); every request after finds the survivor.
 */
import type { Persona } from '../bench/login.ts';
import { plainPersonas } from '../bench/phases/sign_ins.ts';
import { HttpBrowser } from '../scenarios/runner/http_browser.ts';
import { signInThrough } from './helpers/sign_in.ts';
import { sharedRedisStand } from './helpers/redis_stand.ts';

const { shared, check } = sharedRedisStand('kill -9 test');

check(
  'kill -9 of one emulator process under load: the other keeps serving, and a sign-in begun on the killed one finishes on the survivor',
  async (t) => {
    t.timeout(240_000);
    const { rp, idp } = shared.stand;
    const { processes, roundRobin } = shared.stand.processes!;
    // The load: three loops of whole sign-ins through ФМРМ, each as its own persona (an inbox each),
    // among those ФМРМ lets in (its trust level, its register record).
    const personas: Persona[] = [];
    for (const p of (await plainPersonas()).filter((p) => p.persona !== 'ivanov')) {
      if (personas.length < 3 && (await signInThrough(rp, idp, p.phone, p.password)).screen === 'cabinet')
        personas.push(p);
    }
    t.is(personas.length, 3);
    // The sign-in to follow: its password step, and which process answered it.
    const ivanov = new HttpBrowser();
    await ivanov.goto(`${rp}/login`);
    let answeredBy = -1;
    roundRobin!.onAnswer = (backend, req) => {
      if (req.method === 'POST' && /^\/interaction\/[^/]+\/login/.test(req.url ?? '')) answeredBy = backend;
    };
    await ivanov.click('submit', { identifier: '+79000000001', password: 'Test-1234' });
    roundRobin!.onAnswer = undefined;
    t.is(ivanov.screen(), 'otp', ivanov.errorCode());
    t.true(answeredBy === 0 || answeredBy === 1);
    const victim = answeredBy;
    const survivor = 1 - victim;

    let killedAt = Number.POSITIVE_INFINITY;
    let running = true;
    const done: number[] = [];
    const failures: Array<{ at: number; why: string }> = [];
    const loops = personas.map(async (p) => {
      while (running) {
        const { screen, browser } = await signInThrough(rp, idp, p.phone, p.password).catch((error: Error) => ({
          screen: `threw ${error.message}`,
          browser: undefined,
        }));
        if (screen === 'cabinet') done.push(performance.now());
        else
          failures.push({
            at: performance.now(),
            why: `${p.persona}: ${screen} ${browser?.errorCode() ?? ''}`,
          });
      }
    });
    const until = async (what: () => boolean, ms: number) => {
      const deadline = performance.now() + ms;
      while (!what() && performance.now() < deadline) await new Promise((ok) => setTimeout(ok, 20));
    };
    await until(() => done.length >= 3, 60_000);
    const servedBefore = [...roundRobin!.served];
    killedAt = performance.now();
    await processes[victim]!.kill9();
    await until(() => done.filter((at) => at > killedAt).length >= 6, 60_000);
    const servedAfterKill = [...roundRobin!.served];

    // The followed sign-in: the code, answered by the survivor, and into the cabinet.
    const sms = await shared.stand.control<{ messages: Array<{ code: string }> }>(
      'GET',
      '/inbox/sms?to=%2B79000000001',
    );
    await ivanov.click('submit', { code: sms.messages[0]!.code });
    running = false;
    await Promise.all(loops);
    t.is(ivanov.screen(), 'cabinet', ivanov.errorCode());

    t.true(done.filter((at) => at < killedAt).length >= 3, 'sign-ins before the kill');
    t.true(done.filter((at) => at > killedAt).length >= 6, `sign-ins after the kill: ${done.length}`);
    t.is(failures.filter((f) => f.at < killedAt).length, 0, JSON.stringify(failures));
    // At most the sign-ins that had a request in the killed process's hands.
    t.true(failures.length <= personas.length, JSON.stringify(failures));
    // Answers already on their way when it died aside, the killed process answered nothing more.
    t.true(servedAfterKill[victim]! - servedBefore[victim]! <= personas.length, 'nothing more from the killed process');
    t.true(servedAfterKill[survivor]! > servedBefore[survivor]!, 'the survivor answered');
  },
);
