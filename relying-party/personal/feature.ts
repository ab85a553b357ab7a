/*
 * «Личные данные» of the ФМРМ cabinet (G4): the pages, the register operator's control route, the
 * seed. No URL names a person: the session decides whose data is read and written, and a version
 * number means a version of that person's own journal only.
 */
import type { Context } from 'koa';
import { ControlError } from '../../lib/http/control_input.ts';
import type { Form } from '../../lib/http/form.ts';
import { moscowDay, moscowTime } from '../../lib/moscow_time.ts';
import { RpError, type RpErrorFact } from '../errors.ts';
import type { Cabinet, PageHelpers, RpFeature } from '../feature.ts';
import { findRecord } from '../data.ts';
import { notify } from '../notifications.ts';
import type { RegisterRecord } from '../register.ts';
import { amrOf } from '../sessions.ts';
import type { Workspace } from '../workspaces.ts';
import { checkPersonal, type EditableField, editableFields, fieldLabels, gosuslugiFields } from './fields.ts';
import {
  type Change,
  current,
  diff,
  ensureFile,
  type PersonalVersion,
  recordRegisterChange,
  refreshFromGosuslugi,
  restore,
  saveEdit,
  seedPersonal,
  type Written,
} from './journal.ts';
import { changeText, editable, editPage, historyPage, personalPage } from './views.ts';

const formOf = (ctx: Context): Form => (ctx.request as { body?: Form }).body ?? {};
const single = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** What the person's page says after a write, by the query it is sent to. */
function noticeOf(query: Context['query']): string | undefined {
  if (typeof query.saved === 'string') return `Изменения сохранены (версия ${query.saved}).`;
  if (typeof query.restored === 'string')
    return `Восстановлена версия ${query.restored}: в истории это новая версия, её тоже можно отменить.`;
  if (query.refreshed !== undefined) return 'Сведения обновлены из Госуслуг; изменение записано в историю.';
  if (query.same !== undefined) return 'Сведения совпадают с Госуслугами: обновлять нечего.';
  if (query.unchanged !== undefined) return 'Ничего не изменилось: новая версия не создана.';
  return undefined;
}

/** A stale form or restore: nothing written; the page names what changed meanwhile. */
function conflictError(base: string, since: readonly PersonalVersion[], mine: readonly Change[]): RpError {
  const facts: RpErrorFact[] = since.flatMap((v) =>
    v.changes.map((c) => ({
      label: `Изменено ${moscowTime(v.at)}`,
      value: changeText(c),
      testid: 'conflict-change',
    })),
  );
  for (const c of mine)
    facts.push({ label: 'Ваше изменение (не сохранено)', value: changeText(c), testid: 'conflict-mine' });
  return new RpError(
    'rp.personal_conflict',
    facts,
    `form opened on version ${base.slice(0, 20) || '(none)'}; saved since: ${since.map((v) => v.n).join(', ') || 'none'}`,
  );
}

const changedBy: Record<PersonalVersion['source'], string> = {
  edit: 'Изменено в личном кабинете',
  restore: 'Восстановлена прежняя версия',
  gosuslugi: 'Обновлено из Госуслуг',
  register: 'Изменено оператором регистра',
};

/** A written version is told to the person: a change they did not make shows up in their notifications. */
function tell(ws: Workspace, record: RegisterRecord, version: PersonalVersion): void {
  notify(ws, record.snils, {
    kind: 'personal.changed',
    title: 'Личные данные изменены',
    text: `${changedBy[version.source]}: ${version.changes.map(changeText).join('; ')}.`,
    link: '/personal/history',
  });
}

/**
 * After a write: a new version is told to the person and logged, and the browser goes back to the data
 * page, which says what happened (`saved=<new version>`, `restored=<the version brought back>`, `refreshed`).
 */
function afterWrite(ctx: Context, h: PageHelpers, cabinet: Cabinet, written: Written): void {
  ctx.status = 303;
  if (written.kind !== 'saved') return ctx.redirect('/personal?unchanged');
  const v = written.version;
  tell(cabinet.ws, cabinet.record, v);
  h.log({
    event: 'personal_changed',
    source: v.source,
    version: v.n,
    fields: v.changes.map((c) => c.field),
    amr: v.amr,
  });
  if (v.source === 'gosuslugi') ctx.redirect('/personal?refreshed');
  else ctx.redirect(v.restoredFrom ? `/personal?restored=${v.restoredFrom}` : `/personal?saved=${v.n}`);
}

function routes(router: Parameters<NonNullable<RpFeature['routes']>>[0], h: PageHelpers): void {
  const signedIn = async (ctx: Context): Promise<Cabinet | undefined> => {
    const cabinet = await h.cabinet(ctx);
    if (!cabinet) ctx.redirect('/');
    return cabinet;
  };

  router.get('/personal', async (ctx) => {
    const cabinet = await signedIn(ctx);
    if (!cabinet) return;
    const file = ensureFile(cabinet.ws, cabinet.record);
    h.send(
      ctx,
      personalPage(h.brand, {
        record: cabinet.record,
        version: current(file),
        now: cabinet.ws.clock.now(),
        nav: h.nav(cabinet, '/personal'),
        notice: noticeOf(ctx.query),
      }),
    );
  });

  router.get('/personal/edit', async (ctx) => {
    const cabinet = await signedIn(ctx);
    if (!cabinet) return;
    const head = current(ensureFile(cabinet.ws, cabinet.record));
    const nav = h.nav(cabinet, '/personal');
    h.send(
      ctx,
      editPage(h.brand, { record: cabinet.record, base: head.n, entered: editable(head.values), errors: {}, nav }),
    );
  });

  router.post('/personal/edit', async (ctx) => {
    const cabinet = await signedIn(ctx);
    if (!cabinet) return;
    const { ws, record, session } = cabinet;
    const form = formOf(ctx);
    const forged = [...gosuslugiFields, 'snils'].filter((f) => f in form);
    if (forged.length)
      throw new RpError('rp.personal_readonly', [], `the form carried ${forged.join(', ')}: fields of Госуслуги`);
    const file = ensureFile(ws, record);
    const opened = single(form.version) ?? '';
    const base = Number(opened);
    const checked = checkPersonal(form, moscowDay(ws.clock.now()));
    const nav = h.nav(cabinet, '/personal');
    if (!checked.values) {
      // A stale form is named first: fixing the fields of an outdated form would only lead to the conflict.
      if (base !== current(file).n)
        throw conflictError(
          opened,
          file.versions.filter((v) => v.n > base),
          [],
        );
      h.log({ event: 'personal_invalid', fields: Object.keys(checked.errors) });
      return h.send(
        ctx,
        editPage(h.brand, { record, base, entered: checked.entered, errors: checked.errors, nav }),
        422,
      );
    }
    const written = saveEdit(ws, record, file, checked.values, { amr: amrOf(session), base });
    if (written.kind === 'conflict') {
      const was = file.versions.find((v) => v.n === base)?.values;
      throw conflictError(opened, written.since, was ? diff(was, checked.values) : []);
    }
    afterWrite(ctx, h, cabinet, written);
  });

  router.get('/personal/history', async (ctx) => {
    const cabinet = await signedIn(ctx);
    if (!cabinet) return;
    const file = ensureFile(cabinet.ws, cabinet.record);
    h.send(ctx, historyPage(h.brand, { versions: file.versions, nav: h.nav(cabinet, '/personal') }));
  });

  router.post('/personal/history/restore', async (ctx) => {
    const cabinet = await signedIn(ctx);
    if (!cabinet) return;
    const { ws, record, session } = cabinet;
    const form = formOf(ctx);
    const n = Number(single(form.version));
    const opened = single(form.base) ?? '';
    const written = restore(ws, record, ensureFile(ws, record), n, { amr: amrOf(session), base: Number(opened) });
    if (!written) throw new RpError('rp.personal_version_unknown', [], `no version ${String(form.version)}`);
    if (written.kind === 'conflict') throw conflictError(opened, written.since, []);
    afterWrite(ctx, h, cabinet, written);
  });

  router.post('/personal/refresh', async (ctx) => {
    const cabinet = await signedIn(ctx);
    if (!cabinet) return;
    const { ws, record, session } = cabinet;
    const written = refreshFromGosuslugi(ws, record, ensureFile(ws, record), session.claims, amrOf(session));
    if (written.kind === 'saved') afterWrite(ctx, h, cabinet, written);
    else {
      ctx.status = 303;
      ctx.redirect('/personal?same');
    }
  });
}

/**
 * The register's operator writes into a person's record (the scenario's «в регистр внесли…»):
 * ФИО or date of birth as the register has them, or an editable field, journaled without a sign-in.
 */
const controls: RpFeature['controls'] = (router, h) => {
  router.post('/personal/register', async (ctx) => {
    const ws = await h.workspaceOf(ctx);
    const { snils, ru: _ru, ...fields } = await h.body(ctx);
    const record = typeof snils === 'string' ? findRecord(ws.data, snils) : undefined;
    if (!record)
      throw new ControlError(404, 'control.unknown_record', `No register record with snils ${JSON.stringify(snils)}.`);
    const known = new Set<string>([...gosuslugiFields, ...editableFields]);
    const unknown = Object.keys(fields).filter((f) => !known.has(f));
    if (unknown.length || !Object.keys(fields).length)
      throw new ControlError(
        400,
        'control.bad_field',
        `Give fields of the record to write; known: ${[...known].join(', ')}; got: ${unknown.join(', ') || 'none'}.`,
      );
    const file = ensureFile(ws, record);
    const merged = { ...editable(current(file).values), ...fields };
    const checked = checkPersonal(merged, moscowDay(ws.clock.now()));
    if (!checked.values)
      throw new ControlError(
        400,
        'control.bad_field',
        Object.entries(checked.errors)
          .map(([f, e]) => `${f}: ${e}`)
          .join(' '),
      );
    const own: Record<string, string> = {};
    for (const f of gosuslugiFields) {
      const value = fields[f];
      if (value === undefined) continue;
      if (typeof value !== 'string' || !value.trim())
        throw new ControlError(
          400,
          'control.bad_field',
          `${f} (${fieldLabels[f as EditableField] ?? f}) must be a non-empty string.`,
        );
      own[f] = value.trim();
    }
    const version = recordRegisterChange(ws, record, file, checked.values, own);
    if (version) tell(ws, record, version);
    ctx.body = { snils: record.snils, version: version?.n ?? current(file).n, changed: version?.changes ?? [] };
  });
};

export const personal: RpFeature = {
  name: 'personal',
  routes,
  controls,
  seeders: [seedPersonal],
  tab: { path: '/personal', label: 'Личные данные', testid: 'tab-personal' },
};
