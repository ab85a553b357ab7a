/*
 * The trainer's pages on the emulator: /trainer (the gallery), «Воспроизвести» (a scenario's
 * persona, clock and faults arranged in an isolated run), and a run page with the steps to walk
 * through, buttons for what only the stand can do (clock, support actions), and the run's SMS and e-mail inbox.
 * It drives the emulator only through its control API over HTTP(S), like any other client.
 */
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import Router from '@koa/router';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Context, Middleware } from 'koa';
import { html } from '../lib/html.ts';
import { foreignOrigin } from '../lib/http/form_guard.ts';
import { isLoopback } from '../lib/http/loopback.ts';
import { loadScenarios } from '../scenarios/load.ts';
import { withPersona } from '../scenarios/runner/run.ts';
import { casesLabel, type Scenario, type Step } from '../scenarios/schema.ts';
import type { PersonaInfo } from '../scenarios/steps/kind.ts';
import { galleryEntries, galleryScreens } from './gallery.ts';
import { outcomeText } from './screens_ru.ts';
import { controlLabel, describeStep } from './steps_ru.ts';
import { galleryPage, galleryScript, galleryStyle } from './view.ts';
import { shotFor, shotForScreen } from './shots.ts';

export interface TrainerOptions {
  /** Where the relying parties are, for the first screen of a scenario. */
  rpUrl: string;
  rp2Url: string;
  /** Screenshots written by `npm run gallery`. */
  shotsDir: string;
  /** Where the scenario files are: scenarios/catalogue unless a test gives its own. */
  scenariosDir?: string;
}

const defaultClock = '2026-11-25T09:00:00.000Z';

/*
 * A control API of the stand: this very emulator's, over the listener the request came in on (plain
 * HTTP, or TLS on an HTTPS stand), or a relying party's. The certificate is not checked: the trainer
 * talks to the stand's own processes on loopback, and a replayed TLS-fault scenario has just made the
 * emulator's listener serve a broken one.
 */
function standCall(url: string, init: { method: string; body?: string }): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const headers = init.body === undefined ? {} : { 'content-type': 'application/json' };
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(
      target,
      { method: init.method, headers, ...(secure ? { rejectUnauthorized: false } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

async function controlAt<T>(ctx: Context, base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await standCall(`${base}/__control${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status < 200 || res.status > 299) {
    // A refusal (a step pressed twice: the event is already marked) is the stand's answer, said as it is; not a crash of the trainer.
    const status = res.status === 404 ? 404 : res.status < 500 ? 409 : 502;
    ctx.throw(status, `Стенд не выполнил действие (ответ ${res.status}): ${messageOf(res.text)}`);
  }
  return JSON.parse(res.text) as T;
}

/** The message of a control API's JSON refusal, else the start of its answer. */
function messageOf(text: string): string {
  try {
    const { message } = JSON.parse(text) as { message?: unknown };
    if (typeof message === 'string') return message;
  } catch {}
  return text.slice(0, 300);
}

const control = <T>(ctx: Context, method: string, path: string, body?: unknown): Promise<T> =>
  controlAt<T>(ctx, `${ctx.protocol}://127.0.0.1:${ctx.socket.localPort}`, method, path, body);

/** `path` of a control call for one run. */
const forRun = (path: string, run: string) => `${path}${path.includes('?') ? '&' : '?'}run=${encodeURIComponent(run)}`;

function loopbackOnly(ctx: Context): void {
  if (!isLoopback(ctx.req.socket.remoteAddress)) ctx.throw(403, 'Воспроизведение доступно только с этого компьютера.');
  // Its buttons post no fields, so no form token: a page of another origin (another localhost port too) is refused by its Origin.
  const origin = foreignOrigin(ctx);
  if (origin) ctx.throw(403, `Кнопку галереи нажали не на странице галереи (Origin ${origin.slice(0, 100)}).`);
}

function firstScreen(scenario: Scenario, origin: string, options: TrainerOptions): string {
  const open = scenario.steps.find((s) => s.do === 'open');
  if (!open || open.do !== 'open') return `${options.rpUrl}/`;
  const base = open.app === 'idp' ? origin : open.app === 'rp' ? options.rpUrl : options.rp2Url;
  return base + (open.path ?? '/');
}

/** The run page's inbox, refreshed every two seconds; the run is <body data-run>. */
const inboxScript = `(() => {
  const run = document.body.dataset.run;
  async function poll() {
    try {
      const r = await fetch('/trainer/runs/' + encodeURIComponent(run) + '/inbox.json');
      const { messages } = await r.json();
      const ul = document.getElementById('inbox');
      ul.replaceChildren(...(messages.length ? messages : [{ text: 'Пока пусто' }]).map((m) => {
        const li = document.createElement('li');
        li.textContent = (m.sentAt ? m.sentAt.slice(11, 19) + ' → ' + m.to + ': ' : '') + m.text;
        return li;
      }));
    } catch {}
  }
  poll();
  setInterval(poll, 2000);
})();`;

/** A value the automatic run reads off a page and a step uses (`$remembered.doc`), if any. */
const rememberedIn = (step: Step) => /\$remembered\.\w+/.exec(JSON.stringify(step))?.[0];

/**
 * A step as the runner would play it in this run: `$persona.*` are the run's persona's values. A value
 * the runner remembers from a page (`$remembered.*`) is not known here: the trainer is told to act by hand.
 */
async function playedStep(ctx: Context, s: Scenario, run: string, step: Step | undefined): Promise<Step | undefined> {
  if (!step) return step;
  const personas = await control<PersonaInfo[]>(ctx, 'GET', forRun('/personas', run));
  const persona = personas.find((p) => p.persona === s.given.persona);
  const played = persona ? withPersona(step, persona) : step;
  const remembered = rememberedIn(played);
  if (remembered)
    ctx.throw(
      409,
      `Этот шаг берёт значение со страницы (${remembered}), его запоминает только автоматический прогон. Выполните действие вручную: например, в консоли проверяющего или организатора.`,
    );
  return played;
}

export function trainerRoutes(options: TrainerOptions): Middleware {
  const router = new Router({ prefix: '/trainer' });
  const relyingParties = { rp: options.rpUrl, rp2: options.rp2Url } as const;
  /** A relying party's control API for the run, as the scenario runner calls it (relying-party/control.ts). */
  const rpControl = <T>(ctx: Context, app: 'rp' | 'rp2', method: string, path: string, run: string, body?: unknown) =>
    controlAt<T>(ctx, relyingParties[app], method, forRun(path, run), body);
  /**
   * The same call to both relying parties (a reset, the clock). A stand without them (ESIA_RP=off) or
   * with their control API off (RP_CONTROL=off) still replays the emulator's part of a scenario.
   */
  const bothRps = async (ctx: Context, path: string, run: string, body: unknown) => {
    for (const app of ['rp', 'rp2'] as const)
      await rpControl(ctx, app, 'POST', path, run, body).catch((error: { status?: number; code?: string }) => {
        if (error.status !== 404 && error.code !== 'ECONNREFUSED') throw error;
      });
  };
  const scenario = async (ctx: Context) => {
    const found = (await loadScenarios(options.scenariosDir)).find(
      (s) => s.id === ctx.params.id || s.id === ctx.query.scenario,
    );
    if (!found) ctx.throw(404, `Сценария «${String(ctx.params.id ?? ctx.query.scenario)}» нет.`);
    return found as Scenario;
  };

  // The pages' style and scripts as files: the emulator's Content-Security-Policy allows no inline code.
  const assets: Record<string, { type: string; body: string }> = {
    'gallery.css': { type: 'text/css', body: galleryStyle },
    'gallery.js': { type: 'application/javascript', body: galleryScript },
    'inbox.js': { type: 'application/javascript', body: inboxScript },
  };
  router.get('/static/:file', (ctx) => {
    const asset = assets[String(ctx.params.file)];
    if (!asset) ctx.throw(404);
    ctx.type = asset.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = asset.body;
  });

  router.get('/', async (ctx) => {
    const scenarios = await loadScenarios(options.scenariosDir);
    const entries = galleryEntries(scenarios);
    const screens = galleryScreens(scenarios);
    const shots = await Promise.all(entries.map((e) => shotFor(options.shotsDir, e)));
    const pages = await Promise.all(screens.map((e) => shotForScreen(options.shotsDir, e)));
    const byCode = new Map(entries.map((e, i) => [e.code, shots[i]]));
    const byKey = new Map(screens.map((e, i) => [e.key, pages[i]]));
    const url = (shot: string | undefined) => (shot ? `/trainer/shots/${shot}` : undefined);
    ctx.type = 'html';
    ctx.body = galleryPage(entries, {
      live: true,
      shot: (e) => url(byCode.get(e.code)),
      screens: { entries: screens, shot: (e) => url(byKey.get(e.key)) },
    }).value;
  });

  router.get('/shots/*path', async (ctx) => {
    const param = ctx.params.path as unknown;
    const path = normalize(Array.isArray(param) ? param.join('/') : String(param));
    if (path.startsWith('..') || !/^[\w./-]+\.(png|jpg)$/.test(path)) ctx.throw(404);
    ctx.type = path.endsWith('.jpg') ? 'image/jpeg' : 'image/png';
    ctx.body = await readFile(join(options.shotsDir, path)).catch(() => ctx.throw(404));
  });

  // «Воспроизвести» of the static gallery is a link: a page with the button, since a GET starts nothing.
  router.get('/replay/:id', async (ctx) => {
    const s = await scenario(ctx);
    ctx.type = 'html';
    ctx.body =
      html`<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>${s.title} — воспроизведение</title>
<link rel="stylesheet" href="/static/esia.css"></head>
<body data-screen="trainer-replay">
<div class="stand"><b>Тестовый стенд</b> · воспроизведение сценария</div>
<main><div class="card">
<h1>${s.title}</h1>
<p class="muted">${s.id} · ${casesLabel(s)}</p>${s.summary ? html`<p>${s.summary}</p>` : ''}
<p>Ожидаемый итог: ${outcomeText(s.expect)}.</p>
<form method="post" action="/trainer/replay/${s.id}"><button class="btn primary" type="submit" data-testid="replay-${s.id}" autofocus>Воспроизвести</button></form>
<p><a href="/trainer">← к галерее</a></p>
</div></main></body></html>`.value;
  });

  router.post('/replay/:id', async (ctx) => {
    loopbackOnly(ctx);
    const s = await scenario(ctx);
    const { run } = await control<{ run: string }>(ctx, 'POST', '/runs');
    // Time runs on from the scenario's instant, so a trainer can also wait out a cooldown for real.
    let clock = s.given.clock ?? defaultClock;
    // "pki": an hour after the test PKI was generated, where its certificates have their intended validity.
    if (clock === 'pki')
      clock = new Date(
        Date.parse((await control<{ pkiGeneratedAt: string }>(ctx, 'GET', `/esign?run=${run}`)).pkiGeneratedAt) +
          3600_000,
      ).toISOString();
    await control(ctx, 'POST', `/clock?run=${run}`, { set: clock });
    // The relying parties' data and clocks belong to the run too: fresh, seeded at the scenario's instant.
    await bothRps(ctx, '/reset', run, { clock });
    for (const fault of s.given.faults ?? []) await control(ctx, 'POST', `/faults?run=${run}`, fault);
    // TLS faults switch the emulator's one HTTPS listener (409 with a clear message over plain HTTP).
    if (s.given.tls) await control(ctx, 'POST', '/tls', { certificate: s.given.tls });
    ctx.status = 303;
    ctx.redirect(`/trainer/runs/${run}?scenario=${s.id}`);
  });

  router.post('/runs/:run/act/:index', async (ctx) => {
    loopbackOnly(ctx);
    const s = await scenario(ctx);
    const run = String(ctx.params.run);
    const step = await playedStep(ctx, s, run, s.steps[Number(ctx.params.index)]);
    if (step?.do === 'advanceClock') {
      // One stand, one time: the relying parties' clocks move with the emulator's, as in a scenario run.
      await control(ctx, 'POST', `/clock?run=${run}`, { advance: step.by });
      await bothRps(ctx, '/clock', run, { advance: step.by });
    } else if (step?.do === 'control') await control(ctx, step.method, forRun(step.path, run), step.body);
    else if (step?.do === 'rpControl') {
      const { ru: _ru, ...body } = step.body ?? {};
      await rpControl(ctx, step.app, step.method, step.path, run, step.body ? body : undefined);
    } else ctx.throw(400, 'Этот шаг выполняется в браузере, а не кнопкой.');
    ctx.status = 303;
    ctx.redirect(`/trainer/runs/${run}?scenario=${s.id}#step-${ctx.params.index}`);
  });

  // SMS and e-mail (recovery codes by e-mail, security notices), newest first.
  router.get('/runs/:run/inbox.json', async (ctx) => {
    type Inbox = { messages: Array<{ id: number; channel: string; subject?: string; text: string }> };
    const [sms, email] = await Promise.all(
      ['sms', 'email'].map((channel) => control<Inbox>(ctx, 'GET', `/inbox/${channel}?run=${String(ctx.params.run)}`)),
    );
    const messages = [...(sms?.messages ?? []), ...(email?.messages ?? [])].sort((a, b) => b.id - a.id);
    ctx.body = { messages: messages.map((m) => (m.subject ? { ...m, text: `✉ ${m.subject}. ${m.text}` } : m)) };
  });

  router.get('/runs/:run', async (ctx) => {
    const s = await scenario(ctx);
    const run = String(ctx.params.run);
    const personas = await control<
      Array<{ persona: string; phone: string; email: string; snils: string; password: string; name: string }>
    >(ctx, 'GET', `/personas?run=${run}`);
    const persona = personas.find((p) => p.persona === s.given.persona);
    const start = `/__control/runs/${run}/enter?persona=${encodeURIComponent(s.given.persona)}&next=${encodeURIComponent(firstScreen(s, `${ctx.protocol}://${ctx.host}`, options))}`;
    ctx.type = 'html';
    ctx.body =
      html`<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>${s.title} — воспроизведение</title>
<link rel="stylesheet" href="/static/esia.css"></head>
<body data-screen="trainer-run" data-run="${run}">
<div class="stand"><b>Тестовый стенд</b> · воспроизведение сценария в отдельном прогоне ${run}</div>
<main><div class="card wide">
<h1>${s.title}</h1>
<p class="muted">${s.id} · ${casesLabel(s)}${s.summary ? html` · ${s.summary}` : ''}</p>
<div class="alert info"><strong>Персона: ${persona?.name ?? s.given.persona}</strong>
Телефон <code>${persona?.phone ?? ''}</code>, почта <code>${persona?.email ?? ''}</code>, СНИЛС <code>${persona?.snils ?? ''}</code>, пароль <code>${persona?.password ?? ''}</code></div>
<div class="actions"><a class="btn primary" href="${start}" target="_blank" data-testid="start-run">Начать: открыть первый экран</a></div>
<h2>Шаги</h2>
<ol>${s.steps.map(
        (step, i) =>
          html`<li id="step-${i}">${describeStep(step)}${
            !controlLabel(step)
              ? ''
              : rememberedIn(step)
                ? html` <span class="muted" data-testid="act-${i}-by-hand">— выполните вручную: шаг берёт значение со страницы</span>`
                : html` <form method="post" action="/trainer/runs/${run}/act/${i}?scenario=${s.id}" class="inline"><button class="btn secondary" type="submit" data-testid="act-${i}">Выполнить</button></form>`
          }</li>`,
      )}</ol>
<p data-testid="expected-outcome">Ожидаемый итог: ${outcomeText(s.expect)}${s.expect.error && s.expect.error !== 'none' ? html` (<code>${s.expect.error}</code>)` : ''}.</p>
<h2>Входящие СМС и письма этого прогона</h2>
<ul id="inbox" data-testid="run-inbox"><li class="muted">Пока пусто</li></ul>
<p><a href="/trainer">← к галерее</a></p>
</div></main>
<script src="/trainer/static/inbox.js"></script>
</body></html>`.value;
  });

  return router.routes() as Middleware;
}
