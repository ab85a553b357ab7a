/*
 * The gallery page, for the live emulator (/trainer, with «Воспроизвести») and for the static
 * report (npm run gallery, opens without a server). The live page links its style and script
 * (/trainer/static/…: no inline code under the emulator's Content-Security-Policy); the report
 * carries them inline, as a file opened from disk has no server to ask.
 */
import { html, raw, type Html } from '../lib/html.ts';
import { appNames, type GalleryEntry, type ScreenEntry, sections } from './gallery.ts';
import { screenName } from './screens_ru.ts';
import type { Scenario } from '../scenarios/schema.ts';

export interface GalleryOptions {
  /** Live page: «Воспроизвести» buttons that start the scenario in an isolated run. */
  live: boolean;
  /** Static copy: where the live emulator is, for «Воспроизвести» links to its /trainer. */
  liveUrl?: string;
  /** URL of the screenshot of an entry, if one was taken (npm run gallery). */
  shot(entry: GalleryEntry): string | undefined;
  /** Screens reached without an error, after the error cards: what the user sees along the way. */
  screens?: { entries: ScreenEntry[]; shot(entry: ScreenEntry): string | undefined };
  generatedAt?: string;
}

export const galleryStyle = `
body{margin:0;font:15px/1.45 "Segoe UI",Roboto,Arial,sans-serif;color:#0b1f33;background:#f5f7fa}
.stand{background:repeating-linear-gradient(135deg,#ffd54f 0 18px,#ffca28 18px 36px);color:#3e2a00;text-align:center;font:600 13px/1.4 sans-serif;padding:6px}
header{background:#fff;border-bottom:1px solid #e1e7f0;padding:18px 28px}
header h1{margin:0 0 4px;font-size:24px}header p{margin:0;color:#66727f}
.search{position:sticky;top:0;background:#f5f7fa;padding:14px 28px;border-bottom:1px solid #e1e7f0;z-index:2;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
.search input{flex:1;min-width:260px;font:inherit;padding:10px 14px;border:1px solid #b2c2d6;border-radius:8px}
.toc a{color:#0d4cd3;margin-right:12px;text-decoration:none;font-size:14px}
main{padding:8px 28px 60px;max-width:1280px}
h2{margin:28px 0 12px;font-size:20px}
.card{background:#fff;border-radius:14px;box-shadow:0 1px 4px rgba(11,31,51,.08);margin:0 0 18px;display:grid;grid-template-columns:minmax(260px,380px) 1fr;gap:22px;padding:18px}
.card .shot img{width:100%;border:1px solid #e1e7f0;border-radius:8px}
.card .shot .none{height:180px;display:flex;align-items:center;justify-content:center;background:#f1f4f8;border-radius:8px;color:#8d99a6;font-size:13px;text-align:center;padding:10px}
.card h3{margin:0 0 6px;font-size:18px}
.meta{font-size:13px;color:#66727f;margin-bottom:10px}.meta code{background:#f1f4f8;padding:2px 6px;border-radius:4px;color:#0b1f33}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;margin-right:6px}
.badge.idp{background:#e4ecfd;color:#0d4cd3}.badge.rp{background:#e9f7ef;color:#14622f}.badge.rp2{background:#f3eafd;color:#5b2a9a}
dl{margin:0}dt{font-weight:600;font-size:13px;color:#66727f;margin-top:8px}dd{margin:2px 0 0}
.scen{margin-top:12px;font-size:14px}.scen li{margin:4px 0}
.scen form{display:inline}.scen a.replay{font-size:13px;font-weight:600;color:#0d4cd3;margin-left:8px}.scen button{font:inherit;font-size:13px;font-weight:600;background:#0d4cd3;color:#fff;border:0;border-radius:6px;padding:4px 10px;cursor:pointer;margin-left:8px}
.hidden{display:none}
@media (max-width:800px){.card{grid-template-columns:1fr}}
`;

export const galleryScript = `
const box=document.getElementById('q');
box.addEventListener('input',()=>{const q=box.value.trim().toLowerCase();
for(const c of document.querySelectorAll('.card')){c.classList.toggle('hidden',q!==''&&!c.dataset.search.includes(q));}
for(const s of document.querySelectorAll('section')){s.classList.toggle('hidden',!s.querySelector('.card:not(.hidden)'));}});
`;

/** The scenarios of a card, each with «Воспроизвести» where the gallery can start it. */
function scenarioList(scenarios: readonly Scenario[], options: GalleryOptions): Html {
  return html`<ul class="scen">${scenarios.map(
    (s) =>
      html`<li><span>${s.title}</span> <span class="meta">(${s.id})</span>${
        options.live
          ? html`<form method="post" action="/trainer/replay/${s.id}"><button type="submit" data-testid="replay-${s.id}">Воспроизвести</button></form>`
          : options.liveUrl
            ? html`<a class="replay" href="${options.liveUrl}/trainer/replay/${s.id}" data-testid="replay-${s.id}">Воспроизвести</a>`
            : ''
      }</li>`,
  )}</ul>`;
}

// One flex item: as two (text, code) the space between them would collapse.
const noShot = html`<div class="none"><span>Снимок экрана появится после <code>npm run gallery</code></span></div>`;

/** A screen without an error: its name, where it is, what the scenario that ends on it is about. */
function screenCard(entry: ScreenEntry, shot: string | undefined, options: GalleryOptions): Html {
  const name = screenName(entry.screen, entry.app);
  // Only a scenario that ends on this screen is about it; the others merely pass it.
  const about = entry.scenarios.find(
    (s) => s.summary && s.expect.app === entry.app && s.expect.screen === entry.screen,
  )?.summary;
  const search = [entry.screen, name, ...entry.scenarios.map((s) => `${s.id} ${s.title}`)].join(' ').toLowerCase();
  return html`<article class="card" id="screen-${entry.key}" data-screen-key="${entry.key}" data-search="${search}" data-testid="gallery-screen">
<div class="shot">${shot ? html`<a href="${shot}"><img src="${shot}" alt="Экран: ${name}" loading="lazy"></a>` : noShot}</div>
<div>
<h3>${name}</h3>
<div class="meta"><span class="badge ${entry.app}">${appNames[entry.app]}</span><code>${entry.screen}</code></div>
${about ? html`<dl><dt>Что происходит</dt><dd>${about}</dd></dl>` : ''}
${scenarioList(entry.scenarios, options)}
</div>
</article>`;
}

function card(entry: GalleryEntry, options: GalleryOptions): Html {
  const e = entry.entry;
  const shot = options.shot(entry);
  const search = [
    entry.code,
    e.title,
    e.message,
    e.remedy,
    e.support,
    ...e.ids,
    ...entry.scenarios.map((s) => `${s.id} ${s.title}`),
  ]
    .join(' ')
    .toLowerCase();
  return html`<article class="card" id="${entry.code}" data-code="${entry.code}" data-search="${search}" data-testid="gallery-card">
<div class="shot">${shot ? html`<a href="${shot}"><img src="${shot}" alt="Экран: ${e.title}" loading="lazy"></a>` : noShot}</div>
<div>
<h3>${e.title}</h3>
<div class="meta"><span class="badge ${entry.app}" data-testid="gallery-app">${appNames[entry.app]}</span><code>${entry.code}</code> · HTTP ${e.status} · ${e.ids.join(', ')}</div>
<dl>
<dt>Что видит пользователь</dt><dd>${e.message}</dd>
<dt>Что делать пользователю</dt><dd>${e.remedy}</dd>
<dt>Что сказать и проверить в поддержке</dt><dd>${e.support}</dd>
</dl>
${scenarioList(entry.scenarios, options)}
</div>
</article>`;
}

export function galleryPage(entries: GalleryEntry[], options: GalleryOptions): Html {
  const bySection = Object.keys(sections)
    .map((key) => ({ key, title: sections[key] as string, entries: entries.filter((e) => e.section === key) }))
    .filter((s) => s.entries.length > 0);
  const screens = options.screens?.entries ?? [];
  return html`<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Галерея ошибок — тестовый стенд ЕСИА</title>${options.live ? html`<link rel="stylesheet" href="/trainer/static/gallery.css">` : html`<style>${raw(galleryStyle)}</style>`}</head>
<body data-screen="trainer">
<div class="stand" data-testid="test-stand-banner">ТЕСТОВЫЙ СТЕНД · эмулятор ЕСИА, не Госуслуги · данные вымышлены</div>
<header><h1>Галерея ошибок: вход через Госуслуги, кабинет ФМРМ и Портал НМО</h1>
<p>Каждый экран ошибки: что видит пользователь, что ему делать, что сказать в поддержке. ${entries.length} экранов${screens.length ? `, и ещё ${screens.length} экранов без ошибки — что пользователь видит по пути` : ''}.${options.generatedAt ? ` Снимки: ${options.generatedAt}.` : ''}</p>${
    !options.live && options.liveUrl
      ? html`<p data-testid="replay-note">Ссылка «Воспроизвести» открывает сценарий на стенде ${options.liveUrl} — для этого стенд должен работать на вашем компьютере (<code>npm start</code>).</p>`
      : ''
  }</header>
<div class="search"><input id="q" type="search" placeholder="Поиск по коду ошибки или словам на экране: «заблокирована», otp.expired, C2…" data-testid="gallery-search" autofocus>
<nav class="toc">${bySection.map((s) => html`<a href="#section-${s.key}">${s.key}. ${s.title}</a>`)}${screens.length ? html`<a href="#section-screens">Экраны без ошибок</a>` : ''}</nav></div>
<main>${bySection.map((s) => html`<section id="section-${s.key}"><h2>${s.key}. ${s.title}</h2>${s.entries.map((e) => card(e, options))}</section>`)}${
    screens.length
      ? html`<section id="section-screens"><h2>Экраны без ошибок: Госуслуги, ФМРМ, Портал НМО</h2>${screens.map((e) => screenCard(e, options.screens?.shot(e), options))}</section>`
      : ''
  }</main>
${options.live ? html`<script src="/trainer/static/gallery.js"></script>` : html`<script>${raw(galleryScript)}</script>`}
</body></html>`;
}
