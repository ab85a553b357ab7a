/*
 * The support console's outage and re-issue actions: announcing and ending maintenance or an outage
 * of the console's run (E3), and re-issuing a person's certificate from the test intermediate CA at
 * run time (E2). Role checks on the server (refused actions change nothing), what the login page,
 * the control API, the run's CRL and OCSP and checkCertificate say afterwards, the journal.
 * Every test plays in its own isolated run.
 */
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { ocspRequestFor, parseOcspResponse } from '../../lib/pki/revocation.ts';
import { checkCertificate } from '../../lib/pki/test_pki.ts';
import { serialHex, toDer } from '../../lib/pki/x509.ts';
import { parseMoscowDateTime } from '../../idp/support/console_outage.ts';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { describeFailure, runScenario } from '../../scenarios/runner/run.ts';
import { newRun, type Stand, startStand } from '../../scenarios/runner/stand.ts';
import type { Scenario } from '../../scenarios/schema.ts';
import { operatorSession as signedInOperator } from '../helpers/support_console.ts';

let stand: Stand;
test.before(async () => {
  stand = await startStand();
});
test.after.always(() => stand?.close());

/** An operator signed in to the console in `run` (the browser's esia_run cookie at sign-in). */
const operatorSession = (login: string, run: string) => signedInOperator(stand.idp, login, `esia_run=${run}`);

async function journal(): Promise<Array<Record<string, unknown>>> {
  await stand.emulator!.idp.services.journal.flush();
  const text = await readFile(join(stand.emulator!.idp.services.config.dataDir, 'audit.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

type OutageState = {
  outage: null | { mode: string; notice: string; until: string | null; from: string; by: string };
  inForce: boolean;
};

test('МСК date-times typed in the console', (t) => {
  t.is(parseMoscowDateTime('2026-11-25T15:00'), Date.parse('2026-11-25T12:00:00Z'));
  t.is(parseMoscowDateTime('25.11.2026 15:00'), Date.parse('2026-11-25T12:00:00Z'));
  t.is(parseMoscowDateTime('2026-01-01T01:30:15'), Date.parse('2025-12-31T22:30:15Z'));
  t.is(parseMoscowDateTime('  '), null);
  for (const bad of ['31.02.2026 15:00', '2026-11-25T25:00', 'завтра', '2026-11-25', '15:00'])
    t.is(parseMoscowDateTime(bad), undefined, bad);
});

test.serial(
  'outage: operators and trainers see the state read-only; their announce and end are refused and change nothing',
  async (t) => {
    const { run, end } = await newRun(stand);
    try {
      const control = <T>(method: string, path: string, body?: unknown) =>
        stand.control<T>(method, `${path}?run=${run}`, body);
      await control('POST', '/clock', { set: '2026-11-25T09:00:00Z', freeze: true });
      for (const login of ['operator', 'trainer']) {
        const c = await operatorSession(login, run);
        const home = await (await c.get('/support')).text();
        t.regex(home, /data-testid="support-outage-state" data-mode="none"/, `${login} sees the state`);
        t.notRegex(home, /data-testid="support-outage-form"|support-outage-end/, `${login} gets no form`);
        const announce = await c.post('/support/outage', { mode: 'outage', until: '2026-11-25T15:00' });
        t.is(announce.status, 403);
        t.regex(await announce.text(), /data-error-code="support\.forbidden"/);
        t.is((await control<OutageState>('GET', '/outage')).outage, null, `${login}: no outage announced`);
      }
      await control('POST', '/outage', {
        mode: 'outage',
        notice: 'Сбой в работе сервиса авторизации.',
        until: '2026-11-25T12:00:00Z',
      });
      for (const login of ['operator', 'trainer']) {
        const c = await operatorSession(login, run);
        const home = await (await c.get('/support')).text();
        t.regex(home, /data-mode="outage" data-in-force="yes"/);
        t.true(
          home.includes('Сбой в работе сервиса авторизации.') && home.includes('25.11.2026, 15:00 (МСК)'),
          'the notice and the expected recovery in МСК',
        );
        t.notRegex(home, /support-outage-end/);
        t.is((await c.post('/support/outage/end')).status, 403);
        t.like(
          (await control<OutageState>('GET', '/outage')).outage,
          { mode: 'outage', by: 'control' },
          `${login} did not end it`,
        );
      }
      const refused = (await journal()).filter((r) => r.run === run && r.action === 'support.end_outage');
      t.deepEqual(
        refused.map((r) => [r.operator, r.role, r.outcome, r.code]),
        [
          ['operator', 'operator', 'refused', 'support.forbidden'],
          ['trainer', 'trainer', 'refused', 'support.forbidden'],
        ],
      );
    } finally {
      await end();
    }
  },
);

test.serial(
  'a senior operator announces maintenance: banner on the login page, then sign-in closed, control API agrees; ended from the console',
  async (t) => {
    const { run, end } = await newRun(stand);
    try {
      const control = <T>(method: string, path: string, body?: unknown) =>
        stand.control<T>(method, `${path}?run=${run}`, body);
      await control('POST', '/clock', { set: '2026-11-25T09:00:00Z', freeze: true });
      const senior = await operatorSession('senior', run);
      const res = await senior.post('/support/outage', {
        mode: 'maintenance',
        notice: 'Обновляем вход.',
        from: '2026-11-25T13:00',
        until: '25.11.2026 15:00',
      });
      t.is(res.status, 303);
      t.deepEqual(await control<OutageState>('GET', '/outage'), {
        outage: {
          mode: 'maintenance',
          notice: 'Обновляем вход.',
          from: '2026-11-25T10:00:00.000Z',
          until: '2026-11-25T12:00:00.000Z',
          by: 'senior',
        },
        inForce: false,
      });
      t.is((await stand.control<OutageState>('GET', '/outage')).outage, null, 'the main run is untouched');
      const record = (await journal()).findLast((r) => r.run === run && r.action === 'support.announce_outage');
      t.like(record, {
        operator: 'senior',
        role: 'senior',
        outcome: 'ok',
        details: { mode: 'maintenance', by: 'senior', until: '2026-11-25T12:00:00.000Z' },
      });

      const user = new HttpBrowser();
      await user.setCookie(stand.idp, 'esia_run', run);
      await user.goto(`${stand.rp}/login`);
      t.is(user.current()?.screen, 'login');
      const banner = await user.text();
      t.true(
        banner.includes('Обновляем вход.') &&
          banner.includes(
            'Запланированы технические работы: с 25.11.2026, 13:00 (МСК) до 25.11.2026, 15:00 (МСК) вход через Госуслуги будет недоступен.',
          ),
        banner,
      );

      await control('POST', '/clock', { advance: 'PT1H' });
      t.true((await control<OutageState>('GET', '/outage')).inForce);
      await user.click('submit', { identifier: '+79000000001', password: 'Test-1234' });
      t.is(user.current()?.error, 'service.maintenance');
      t.regex(await (await senior.get('/support')).text(), /data-mode="maintenance" data-in-force="yes"/);

      t.is((await senior.post('/support/outage/end')).status, 303);
      t.deepEqual(await control<OutageState>('GET', '/outage'), { outage: null, inForce: false });
      t.like(
        (await journal()).findLast((r) => r.run === run && r.action === 'support.end_outage'),
        { operator: 'senior', outcome: 'ok', details: { ended: { mode: 'maintenance', by: 'senior' } } },
      );
      await user.goto(`${stand.rp}/login`);
      await user.click('submit', { identifier: '+79000000001', password: 'Test-1234' });
      t.is(user.current()?.screen, 'otp', 'sign-in works again');
    } finally {
      await end();
    }
  },
);

test.serial(
  'a bad date or an end before the start is a Russian error next to the form (400), nothing announced',
  async (t) => {
    const { run, end } = await newRun(stand);
    try {
      await stand.control('POST', `/clock?run=${run}`, { set: '2026-11-25T09:00:00Z', freeze: true });
      const senior = await operatorSession('senior', run);
      const cases: Array<[Record<string, string>, string]> = [
        [{ mode: 'maintenance', until: '31.02.2026 15:00' }, 'не дата и время'],
        [{ mode: 'maintenance', until: '2026-11-25T15:00', from: 'в обед' }, 'не дата и время'],
        [{ mode: 'maintenance', until: '2026-11-25T11:00' }, 'должно быть позже начала'],
        [{ mode: 'holiday', until: '2026-11-25T15:00' }, 'Выберите режим'],
      ];
      for (const [fields, text] of cases) {
        const res = await senior.post('/support/outage', fields);
        const body = await res.text();
        t.is(res.status, 400, JSON.stringify(fields));
        t.regex(body, /data-screen="support-home"/);
        t.regex(body, /data-error-code="support\.bad_input"/);
        t.true(body.includes(text), `${JSON.stringify(fields)} → ${text}`);
        t.true(body.includes(`value="${fields.until}"`), 'what was typed stays in the form');
      }
      t.is((await stand.control<OutageState>('GET', `/outage?run=${run}`)).outage, null);
    } finally {
      await end();
    }
  },
);

test.serial('re-issue: refused for operators and trainers, nothing changes', async (t) => {
  const { run, end } = await newRun(stand);
  try {
    for (const login of ['operator', 'trainer']) {
      const c = await operatorSession(login, run);
      t.notRegex(
        await (await c.get('/support/accounts/belov')).text(),
        /support-reissue/,
        `${login} sees no re-issue button`,
      );
      const res = await c.post('/support/accounts/belov/certificates/reissue');
      t.is(res.status, 403);
      t.regex(await res.text(), /data-error-code="support\.forbidden"/);
    }
    const certificates = await stand.control<Array<{ variant: string; revoked: unknown }>>(
      'GET',
      `/certificates?persona=belov&run=${run}`,
    );
    t.false(certificates.some((c) => c.variant === 'reissued'));
    t.is(certificates.find((c) => c.variant === 'valid')?.revoked, null);
    const token = await stand.control<{ certificates: Array<{ id: string }> }>(
      'GET',
      `/token?persona=belov&run=${run}`,
    );
    t.false(token.certificates.some((c) => c.id.includes('reissued')));
  } finally {
    await end();
  }
});

async function ocspStatus(certificatePem: string, run?: string): Promise<{ status: string; reason?: unknown }> {
  const pki = stand.emulator!.idp.services.pki;
  const request = ocspRequestFor(certificatePem, pki.intermediate.certificatePem);
  const res = await fetch(`${stand.idp}/pki/ocsp${run ? `?run=${run}` : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/ocsp-request' },
    body: Buffer.from(request),
  });
  const answer = parseOcspResponse(new Uint8Array(await res.arrayBuffer()), pki.intermediate.certificatePem);
  if (!answer.signatureValid) throw new Error('OCSP answer not signed by the intermediate');
  return answer.certificates[0]!;
}

async function crlSerials(run: string): Promise<string[]> {
  const der = new Uint8Array(await (await fetch(`${stand.idp}/pki/intermediate.crl?run=${run}`)).arrayBuffer());
  const crl = pkijs.CertificateRevocationList.fromBER(toDer(der));
  return (crl.revokedCertificates ?? []).map((r) =>
    serialHex({ serialNumber: r.userCertificate } as pkijs.Certificate),
  );
}

test.serial(
  're-issue by a senior operator: old certificate revoked (superseded) in that run, new one verifies and signs in',
  async (t) => {
    const scenario = JSON.parse(
      await readFile(join(import.meta.dirname, '../../scenarios/catalogue/support-certificate-reissued.json'), 'utf8'),
    ) as Scenario;
    const a = await newRun(stand);
    const b = await newRun(stand);
    try {
      // The catalogue scenario: the operator re-issues, the old certificate is refused as revoked, the new one signs in (electronic signature).
      const result = await runScenario(stand, scenario, undefined, { run: a.run });
      t.true(result.ok, describeFailure(result));

      const services = stand.emulator!.idp.services;
      const runA = services.runs.get(a.run)!;
      const pki = services.pki;
      const old = pki.certificateFor('belov', 'valid');
      const listed = await stand.control<
        Array<{
          serial: string;
          variant: string;
          validity: string;
          revoked: { reason: string } | null;
          issuedInRun?: string;
          notBefore: string;
          notAfter: string;
        }>
      >('GET', `/certificates?persona=belov&run=${a.run}`);
      const fresh = listed.filter((c) => c.variant === 'reissued');
      t.is(fresh.length, 1, 'GET /__control/certificates lists the new certificate of the run');
      t.like(fresh[0], { validity: 'valid', revoked: null, issuedInRun: a.run });
      t.like(
        listed.find((c) => c.serial === old.serial),
        { revoked: { reason: 'superseded' } },
      );
      t.is(Date.parse(fresh[0]!.notBefore), runA.clock.now() - 5 * 60_000, 'validity from the run clock');
      const issued = runA.issuedCertificate(fresh[0]!.serial)!;

      const checked = checkCertificate(pki, issued.certificatePem, {
        at: runA.clock.now(),
        revocations: runA.revocations,
      });
      t.like(checked, { ok: true, serial: issued.serial, snils: runA.accounts.byPersona('belov')!.snils });
      t.like(checkCertificate(pki, old.certificatePem, { at: runA.clock.now(), revocations: runA.revocations }), {
        ok: false,
        code: 'certificate.revoked',
      });

      t.like(await ocspStatus(old.certificatePem, a.run), { status: 'revoked', reason: 'superseded' });
      t.like(await ocspStatus(issued.certificatePem, a.run), { status: 'good' });
      t.true((await crlSerials(a.run)).includes(old.serial), 'the run’s CRL lists the superseded serial');
      t.false((await crlSerials(a.run)).includes(issued.serial));
      // Runs are isolated: another run still trusts the old certificate and never heard of the new one.
      t.like(await ocspStatus(old.certificatePem, b.run), { status: 'good' });
      t.like(await ocspStatus(issued.certificatePem, b.run), { status: 'unknown' });
      t.false((await crlSerials(b.run)).includes(old.serial));

      const account = runA.accounts.byPersona('belov')!;
      const records = (await journal()).filter((r) => r.run === a.run && r.action === 'support.reissue_certificate');
      t.is(records.length, 1);
      t.like(records[0], {
        operator: 'senior',
        role: 'senior',
        outcome: 'ok',
        account: account.oid,
        details: { serial: issued.serial, superseded: old.serial, notAfter: issued.notAfter },
      });
      t.false(JSON.stringify(records[0]).includes('PRIVATE KEY'), 'the journal never holds the private key');
      t.false(JSON.stringify(records[0]).includes(issued.privateKeyPem.split('\n')[1]!));

      // The operator sees the serial and validity on the account's card; a second re-issue supersedes the first.
      const senior = await operatorSession('senior', a.run);
      const card = await (await senior.get('/support/accounts/belov')).text();
      t.regex(card, new RegExp(`data-serial="${issued.serial}" data-variant="reissued" data-revoked="no"`));
      t.regex(card, new RegExp(`data-serial="${old.serial}" data-variant="valid" data-revoked="yes"`));
      t.is((await senior.post('/support/accounts/belov/certificates/reissue')).status, 303);
      t.is(runA.issuedCertificates.length, 2);
      t.is(runA.revocations.get(issued.serial)?.reason, 'superseded');
      const token = await stand.control<{ certificates: Array<{ id: string; certificatePem: string }> }>(
        'GET',
        `/token?persona=belov&run=${a.run}`,
      );
      t.is(
        token.certificates.find((c) => c.id === 'belov-reissued')?.certificatePem.trim(),
        runA.issuedCertificates[1]!.certificatePem.trim(),
        'the token holds the newest',
      );

      // A reset of the run forgets what it issued.
      await stand.control('POST', `/reset?run=${a.run}`);
      t.is(runA.issuedCertificates.length, 0);
      t.false(
        (await stand.control<Array<{ variant: string }>>('GET', `/certificates?persona=belov&run=${a.run}`)).some(
          (c) => c.variant === 'reissued',
        ),
      );
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  },
);
