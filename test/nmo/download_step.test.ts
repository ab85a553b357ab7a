/* The download step fails when the file is not what it should be: another type, a status, or a PDF that lacks a text. */
import test from 'ava';
import { certificatePdf } from '../../relying-party/nmo/certificate_pdf.ts';
import type { NmoEvent } from '../../relying-party/nmo/events.ts';
import type { Download } from '../../scenarios/runner/driver.ts';
import { download } from '../../scenarios/steps/download.ts';
import type { StepContext } from '../../scenarios/steps/kind.ts';

const event: NmoEvent = {
  id: 'ev',
  kind: 'webinar',
  title: 'Антибактериальная терапия',
  organiser: 'Организатор',
  specialty: 'Терапия',
  region: 'Москва',
  format: 'дистанционно',
  startsAt: '2026-11-20T06:00:00Z',
  endsAt: '2026-11-20T15:00:00Z',
  credits: 2,
  seats: 10,
  othersRegistered: 0,
};
const pdf = await certificatePdf({
  certificate: { number: 'НМО-2026-000777', issuedAt: '2026-11-21T09:00:00Z' },
  event,
  person: 'Иванов Иван Иванович',
  verifyUrl: 'http://localhost:4001/certificates/x',
});

/** A context whose page has the link and whose browser answers with `file`. */
function contextWith(file: Download): StepContext {
  return {
    page: { url: 'http://localhost:4001/my-events', status: 200, screen: 'nmo-my-events', error: '' },
    browser: {
      attribute: async (testid: string, name: string) =>
        testid === 'certificate-ev' && name === 'href' ? '/c.pdf' : null,
      download: async () => file,
    },
  } as unknown as StepContext;
}

const step = (text?: string[]) => ({
  do: 'download' as const,
  testid: 'certificate-ev',
  contentType: 'application/pdf',
  ...(text ? { text } : {}),
});

test('passes on the PDF that says the texts, a wrapped line read whole', async (t) => {
  await t.notThrowsAsync(
    download.run(
      contextWith({ status: 200, contentType: 'application/pdf', body: pdf }),
      step(['№ НМО-2026-000777', 'Иванов Иван Иванович']),
      'step 1',
    ),
  );
});

test('fails on a PDF that lacks a text, naming it', async (t) => {
  const error = await t.throwsAsync(
    download.run(
      contextWith({ status: 200, contentType: 'application/pdf', body: pdf }),
      step(['НМО-2026-000778']),
      'step 1',
    ),
  );
  t.regex(error.message, /lacks «НМО-2026-000778»/);
});

test('fails on another content type or status, and on a file that is no PDF', async (t) => {
  const html = Buffer.from('<!doctype html><p>Мест нет</p>');
  const wrongType = await t.throwsAsync(
    download.run(contextWith({ status: 409, contentType: 'text/html; charset=utf-8', body: html }), step(), 'step 1'),
  );
  t.regex(wrongType.message, /answered 409 text\/html; charset=utf-8, expected 200 application\/pdf/);
  const notPdf = await t.throwsAsync(
    download.run(contextWith({ status: 200, contentType: 'application/pdf', body: html }), step(['x']), 'step 1'),
  );
  t.regex(notPdf.message, /not a well-formed PDF/);
  const noLink = await t.throwsAsync(
    download.run(
      contextWith({ status: 200, contentType: 'application/pdf', body: pdf }),
      { ...step(), testid: 'other' },
      'step 1',
    ),
  );
  t.regex(noLink.message, /no link \[data-testid="other"\]/);
});
