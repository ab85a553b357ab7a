/* The frame of every emulator page: the test-stand marking, the header, and the data-* hooks tests read. */
import { html, type Html } from '../../lib/html.ts';

export interface PageMeta {
  title: string;
  /** Stable screen name for tests and the trainer gallery (body[data-screen]). */
  screen: string;
  /** Catalogue code of the failure this page shows, if any (body[data-error-code]). */
  errorCode?: string;
  wide?: boolean;
  /** Id of a form the page submits by script at once; the HTTP scenario browser does the same. */
  autosubmit?: string;
}

export function layout(meta: PageMeta, body: Html): Html {
  return html`<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${meta.title} — ТЕСТОВЫЙ СТЕНД ЕСИА</title>
<link rel="stylesheet" href="/static/esia.css">
</head>
<body data-screen="${meta.screen}"${meta.errorCode ? html` data-error-code="${meta.errorCode}"` : ''}${meta.autosubmit ? html` data-autosubmit="${meta.autosubmit}"` : ''}>
<div class="stand" data-testid="test-stand-banner"><b>Тестовый стенд</b> · эмулятор ЕСИА, не Госуслуги · не вводите настоящие пароли и данные</div>
<header class="top"><div class="in"><span class="logo"><i></i>госуслуги<small>эмулятор</small></span></div></header>
<main><div class="card${meta.wide ? ' wide' : ''}">
${body}
</div></main>
<footer>esia-emulator — учебная и тестовая среда. Данные вымышлены.</footer>
</body>
</html>`;
}

/** The reference code block that every error shows (E1). */
export function referenceBlock(ref: string | undefined): Html {
  if (!ref) return html``;
  return html`<p class="ref">Код обращения: <code data-testid="ref-code" data-ref="${ref}">${ref}</code><br>Сообщите его в поддержку — по нему найдут вашу попытку входа.</p>`;
}
