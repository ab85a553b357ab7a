/*
 * The frame of every RP page: the test-stand banner, the portal header, and `data-screen` on
 * <body> so tests and the scenario runner know which screen they are on without reading text.
 */
import { html, type Html } from '../../lib/html.ts';

export interface Brand {
  title: string;
  /** The title after «из»: «Выйти только из Портала НМО». */
  genitive: string;
  subtitle: string;
}

export interface PageOptions {
  screen: string;
  /** <title> and, by default, nothing else: each page writes its own <h1>. */
  title: string;
  body: Html;
  /** Extra attributes on <body>, e.g. data-error-code. Values are escaped. */
  bodyData?: Record<string, string>;
}

/** Served as a file (app.ts): the Content-Security-Policy allows no inline style. */
export const stylesheetPath = '/static/rp.css';
export const stylesheet = `
  *{box-sizing:border-box}
  body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1f2a37;background:#f3f6fa}
  .stand{background:#fff4d6;color:#7a4b00;border-bottom:1px solid #f0d48a;padding:6px 16px;text-align:center;font-size:14px;font-weight:600}
  header{background:#0d4c8b;color:#fff;padding:14px 24px}
  header a{color:#fff;text-decoration:none}
  header .brand{font-size:22px;font-weight:700;letter-spacing:.5px}
  header .sub{font-size:14px;opacity:.85}
  main{max-width:820px;margin:28px auto;padding:28px 32px;background:#fff;border-radius:10px;box-shadow:0 1px 4px rgba(15,40,80,.12)}
  h1{font-size:26px;margin:0 0 12px}
  h2{font-size:18px;margin:24px 0 8px}
  .button,button{display:inline-block;border:0;border-radius:6px;padding:11px 20px;font:inherit;font-weight:600;cursor:pointer;text-decoration:none}
  .primary{background:#0d6efd;color:#fff}
  .secondary{background:#e7edf5;color:#0d4c8b}
  .actions{display:flex;gap:12px;flex-wrap:wrap;margin-top:24px}
  .actions form{margin:0}
  table{border-collapse:collapse;width:100%}
  th,td{text-align:left;padding:8px 6px;border-bottom:1px solid #e5eaf0;vertical-align:top}
  th{width:38%;color:#52606d;font-weight:500}
  .badge{display:inline-block;padding:2px 10px;border-radius:12px;font-size:14px;font-weight:600}
  .ok{background:#dcf5e3;color:#146c2e}
  .wait{background:#fff1c2;color:#7a5a00}
  .muted{color:#52606d;font-size:14px}
  .notice{background:#fdecec;border-left:4px solid #c62828;padding:10px 14px;border-radius:4px}
  code{background:#eef2f7;padding:1px 6px;border-radius:4px;font-size:15px}
  details{margin-top:20px;color:#52606d}
  .ref{margin-top:20px;padding:12px 16px;background:#f3f6fa;border-radius:6px}
  .ref code{font-size:20px;font-weight:700;letter-spacing:1px}
  footer{text-align:center;color:#6b7785;font-size:13px;margin:0 0 24px}
  .tabs{display:flex;gap:4px;flex-wrap:wrap;margin:-8px 0 20px;border-bottom:1px solid #e5eaf0}
  .tab{padding:8px 12px;color:#0d4c8b;text-decoration:none;border-bottom:3px solid transparent}
  .tab.current{border-bottom-color:#0d6efd;font-weight:600}
  .bad{background:#fdecec;color:#a61b1b}
  .info{background:#e8f1fd;border-left:4px solid #0d6efd;padding:10px 14px;border-radius:4px}
  table.grid th{width:auto}
  tr.soon td{background:#fff8e1}
  tr.overdue td{background:#fdecec}
  tr.current td{background:#eef5ff}
  .field-error{color:#a61b1b;font-size:14px;margin:4px 0 0}
  .hint{color:#52606d;font-size:13px;margin:2px 0 0}
  label{display:block;font-weight:600;margin:14px 0 4px}
  input[type=text],input[type=email],input[type=tel]{width:100%;padding:9px 10px;border:1px solid #b8c4d2;border-radius:6px;font:inherit}
  input[aria-invalid=true]{border-color:#c62828;background:#fffafa}
  .readonly{background:#f3f6fa}
  .bad{background:#fdecec;color:#b71c1c}
  .list th{width:auto}
  .list .badge{white-space:nowrap}
  button:disabled{opacity:.55;cursor:not-allowed}
  .filters{display:flex;gap:12px;flex-wrap:wrap;align-items:flex-end;margin:16px 0}
  .filters label{display:flex;flex-direction:column;font-size:14px;color:#52606d}
  .filters select{padding:7px 8px;font:inherit;border:1px solid #c5ced8;border-radius:6px}
  .field-error{color:#b71c1c;font-size:14px;margin:4px 0 0}
  .done{background:#e6f4ea;border-left:4px solid #146c2e;padding:10px 14px;border-radius:4px}
  .stack label{display:block;margin:12px 0 4px;font-weight:500}
  .stack input,.stack select,.stack textarea{display:block;width:100%;max-width:480px;padding:8px 10px;font:inherit;border:1px solid #c5ced8;border-radius:6px}
  .notes{list-style:none;padding:0;margin:16px 0 0}
  .note{border:1px solid #e5eaf0;border-radius:8px;padding:12px 16px;margin:0 0 12px}
  .note.unread{border-left:4px solid #0d6efd;background:#f5f9ff}
  .note p{margin:6px 0}
  .note .actions{margin-top:8px}
  .new{background:#dbe8ff;color:#0d4c8b}
  .count{display:inline-block;min-width:20px;padding:0 6px;border-radius:10px;background:#c62828;color:#fff;font-size:13px;text-align:center}
  .event-filters{display:flex;flex-wrap:wrap;gap:10px 16px;align-items:flex-start;margin-bottom:12px}
  .event-filters label{display:flex;flex-direction:column;font-size:14px;color:#52606d}
  .event-filters input,.event-filters select{font:inherit;padding:6px 8px;border:1px solid #c5d0dc;border-radius:6px}
  .event-filters .field{display:flex;flex-direction:column;max-width:220px}
  .event-filters button,.event-filters .button{margin-top:22px}
  .event{border-top:1px solid #e5eaf0;padding:8px 0}
  .event h2{margin:8px 0 4px}
  .event .actions{margin-top:8px;align-items:center}
  .list th{width:auto}
`;

export function page(brand: Brand, options: PageOptions): Html {
  const data = Object.entries(options.bodyData ?? {}).map(([k, v]) => html` data-${k}="${v}"`);
  return html`<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} — ${brand.title}</title>
<link rel="stylesheet" href="${stylesheetPath}">
</head>
<body data-screen="${options.screen}"${data}>
<div class="stand" data-testid="test-stand-banner">Тестовый стенд — не настоящая система</div>
<header><a href="/"><div class="brand">${brand.title}</div><div class="sub">${brand.subtitle}</div></a></header>
<main>
${options.body}
</main>
<footer>Учебный стенд: все люди, номера и организации вымышлены.</footer>
</body>
</html>
`;
}
