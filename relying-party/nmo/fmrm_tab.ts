/*
 * ФМРМ's «НМО» tab: the person's completed events and certificates, read from Портал НМО over HTTP
 * (its GET /api/completed with the shared secret, in the person's run). When НМО does not answer,
 * the tab still opens and says so: ФМРМ's own pages never depend on the other system being up.
 */
import { html, type Html } from '../../lib/html.ts';
import { moscowTime } from '../../lib/moscow_time.ts';
import type { RpConfig } from '../config.ts';
import type { RpFeature } from '../feature.ts';
import { backChannelFetch } from '../tls_fetch.ts';
import { page, type Brand } from '../views/layout.ts';
import { type CompletedEvent, completedApiPath } from './completed_api.ts';

const timeoutMs = 3000;

type Answer = { events: CompletedEvent[] } | { unreachable: string };

type Fetch = (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<Response>;

/**
 * Over HTTPS (npm start --https) НМО serves a certificate of the test PKI: trust its root, like the
 * back-channel to Госуслуги, but expect no stapled OCSP answer — НМО's listener staples none.
 */
function fetchFor(config: RpConfig): Fetch {
  return config.idpTrust ? backChannelFetch({ ca: config.idpTrust.ca }) : fetch;
}

async function completedOf(config: RpConfig, fetchOver: Fetch, run: string, snils: string): Promise<Answer> {
  if (!config.nmoUrl || !config.completedApiSecret)
    return { unreachable: 'Портал НМО не подключён к этому стенду (nmoUrl).' };
  const url = new URL(completedApiPath, config.nmoUrl);
  url.searchParams.set('snils', snils);
  try {
    const res = await fetchOver(url.href, {
      headers: { authorization: `Bearer ${config.completedApiSecret}`, 'x-esia-run': run, accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return { unreachable: `Портал НМО ответил ошибкой (HTTP ${res.status}).` };
    const body = (await res.json()) as { events?: CompletedEvent[] };
    return Array.isArray(body.events)
      ? { events: body.events }
      : { unreachable: 'Портал НМО прислал ответ, который ФМРМ не понял.' };
  } catch {
    return { unreachable: 'Портал НМО сейчас не отвечает.' };
  }
}

function nmoTabPage(brand: Brand, nav: Html, answer: Answer, nmoUrl: string | undefined): Html {
  const body =
    'unreachable' in answer
      ? html`<p class="notice" data-testid="nmo-unreachable">${answer.unreachable} Сведения о пройденных мероприятиях сейчас показать нельзя; остальные разделы кабинета работают. Попробуйте открыть вкладку позже.</p>`
      : answer.events.length
        ? html`<p>Зачтено: <strong data-testid="nmo-credits-total">${String(answer.events.reduce((s, e) => s + e.credits, 0))} ЗЕТ</strong></p>
<table class="list"><tr><th>Мероприятие</th><th>Окончание</th><th>ЗЕТ</th><th>Свидетельство</th></tr>${answer.events.map(
            (e) =>
              html`<tr data-testid="nmo-completed-${e.id}"><td>${e.title}</td><td>${moscowTime(e.endsAt)}</td><td>${String(e.credits)}</td><td><a href="${e.certificate.verifyUrl}" data-testid="nmo-certificate-${e.id}">№ ${e.certificate.number}</a></td></tr>`,
          )}</table>`
        : html`<p data-testid="nmo-none">Пройденных мероприятий на Портале НМО пока нет.</p>`;
  const portal = nmoUrl
    ? html`<p class="muted">Записаться на мероприятия можно на <a href="${nmoUrl}" data-testid="nmo-portal-link">Портале НМО</a>.</p>`
    : '';
  return page(brand, {
    screen: 'fmrm-nmo',
    title: 'Непрерывное образование',
    body: html`${nav}<h1>Непрерывное медицинское образование</h1>
<p class="muted">Мероприятия, которые вы прошли на Портале НМО, со свидетельствами о прохождении.</p>
${body}${portal}`,
  });
}

export const fmrmNmoTab: RpFeature = {
  name: 'fmrm-nmo',
  tab: { path: '/nmo', label: 'НМО', testid: 'tab-nmo' },
  routes(router, h) {
    const fetchOver = fetchFor(h.config);
    router.get('/nmo', async (ctx) => {
      const c = await h.cabinet(ctx);
      if (!c) return ctx.redirect('/');
      const answer = await completedOf(h.config, fetchOver, c.ws.id, c.record.snils);
      if ('unreachable' in answer) h.log({ event: 'nmo_unreachable', why: answer.unreachable });
      h.send(ctx, nmoTabPage(h.brand, h.nav(c, '/nmo'), answer, h.config.nmoUrl));
    });
  },
};
