/*
 * What the emulator tells a developer about a refused ESIA request, and real ESIA does not: which
 * part is wrong and how to fix it. Kept in memory under the reference code (also in the audit
 * journal and the log), and on Redis for the other emulator processes when the store is there;
 * shown at GET /__control/esia/diagnostics/:ref as JSON or HTML.
 */
import { html } from '../../lib/html.ts';
import { layout } from '../views/layout.ts';
import type { Records } from '../adapters/records.ts';
import { esiaCodes, type EsiaProtocolError } from './errors.ts';

export interface Diagnosis {
  ref: string;
  at: string;
  endpoint: string;
  client_id?: string;
  code: string;
  error: string;
  error_description: string;
  /** What exactly is wrong, in words a developer can act on. */
  diagnosis: string;
  evidence: Record<string, unknown>;
  /** The request's parameters, client_secret shortened. */
  request: Record<string, string>;
}

const kept = 2000;

export class Diagnostics {
  readonly #byRef = new Map<string, Diagnosis>();

  /** `shared`: where other processes find a diagnosis (Redis); absent on lowdb. */
  constructor(readonly shared?: Records<Diagnosis>) {}

  record(ref: string, endpoint: string, error: EsiaProtocolError, params: Record<string, string>): Diagnosis {
    const request = Object.fromEntries(
      Object.entries(params).map(([k, v]) => [
        k,
        k === 'client_secret' && v.length > 48 ? `${v.slice(0, 24)}…${v.slice(-12)} (${v.length} chars)` : v,
      ]),
    );
    const d: Diagnosis = {
      ref,
      at: new Date().toISOString(),
      endpoint,
      ...(params.client_id ? { client_id: params.client_id } : {}),
      code: error.code,
      error: error.error,
      error_description: error.description,
      diagnosis: error.diagnosis,
      evidence: error.evidence,
      request,
    };
    if (this.#byRef.size >= kept) this.#byRef.delete(this.#byRef.keys().next().value as string);
    this.#byRef.set(ref, d);
    // Not awaited: the refusal is answered at once; a lost Redis only costs the other processes the lookup.
    this.shared?.put(ref, d, { ttlMs: 24 * 3600_000 }).catch(() => {});
    return d;
  }

  async get(ref: string): Promise<Diagnosis | undefined> {
    return this.#byRef.get(ref) ?? (await this.shared?.get(ref));
  }

  recent(limit = 50): Diagnosis[] {
    return [...this.#byRef.values()].slice(-limit).reverse();
  }
}

export function diagnosisPage(d: Diagnosis) {
  return layout(
    { title: `Диагностика ${d.ref}`, screen: 'esia-diagnostics', errorCode: d.code, wide: true },
    html`<h1>Почему запрос отклонён</h1>
<p><b data-testid="esia-code">${d.code}</b> — ${esiaCodes[d.code as keyof typeof esiaCodes]?.meaning ?? ''}</p>
<p data-testid="esia-diagnosis">${d.diagnosis}</p>
<p>Что получила система: <code>error=${d.error}</code>, <code>error_description=${d.error_description}</code></p>
<p>Точка: <code>${d.endpoint}</code>, время ${d.at}, код обращения <code data-testid="ref-code">${d.ref}</code></p>
<h2>Параметры запроса</h2>
<table>${Object.entries(d.request).map(([k, v]) => html`<tr><th>${k}</th><td><code>${v}</code></td></tr>`)}</table>
<h2>Подробности</h2>
<pre>${JSON.stringify(d.evidence, null, 2)}</pre>`,
  );
}

/** A refusal that cannot be sent back to the system (unknown system, unregistered redirect_uri). */
export function esiaErrorPage(d: Diagnosis) {
  return layout(
    { title: 'Ошибка запроса системы', screen: 'esia-error', errorCode: d.code },
    html`<h1>Не удалось выполнить вход</h1>
<p>Информационная система прислала неверный запрос, поэтому вернуть вас в неё нельзя.</p>
<p><b data-testid="esia-code">${d.error_description}</b></p>
<p class="dev">Для разработчиков: <span data-testid="esia-diagnosis">${d.diagnosis}</span></p>
<p class="ref">Код обращения: <code data-testid="ref-code" data-ref="${d.ref}">${d.ref}</code></p>`,
  );
}
