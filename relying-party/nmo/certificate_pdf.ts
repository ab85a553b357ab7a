/*
 * The completion certificate as a real PDF (pdfkit) with Cyrillic text in an embedded TrueType font:
 * the person, the event, its ЗЕТ and dates, the number and the address where anyone can verify it.
 */
import { access } from 'node:fs/promises';
import { moscowTime } from '../../lib/moscow_time.ts';
import { eventKinds, type Certificate, type NmoEvent } from './events.ts';
import { moscowDay } from './filters.ts';

/** Debian's fonts-dejavu-core: a TrueType font with Cyrillic glyphs (the PDF's 14 standard fonts have none). */
export const certificateFont = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

export interface CertificateView {
  certificate: Certificate;
  event: NmoEvent;
  /** Фамилия Имя Отчество. */
  person: string;
  verifyUrl: string;
  /** Off in tests that read the page's text without inflating it. */
  compress?: boolean;
}

const day = (iso: string) => moscowDay(iso).split('-').reverse().join('.');

export async function certificatePdf(view: CertificateView, font = certificateFont): Promise<Buffer> {
  await access(font).catch(() => {
    throw new Error(`The certificate font ${font} is missing: install the Debian package fonts-dejavu-core.`);
  });
  // Loaded at first use: pdfkit reads its own data files next to its module, so the bundle leaves it in node_modules.
  const { default: PDFDocument } = await import('pdfkit');
  const { certificate, event } = view;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    compress: view.compress ?? true,
    info: {
      Title: `Свидетельство о прохождении № ${certificate.number}`,
      Subject: event.title,
      Author: event.organiser,
      Creator: 'Портал НМО (тестовый стенд)',
      Keywords: certificate.number,
      CreationDate: new Date(certificate.issuedAt),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.font(font);
  doc
    .fontSize(10)
    .fillColor('#7a4b00')
    .text('ТЕСТОВЫЙ СТЕНД — документ не имеет юридической силы', { align: 'center' });
  doc.moveDown(2).fillColor('#0d4c8b').fontSize(22).text('СВИДЕТЕЛЬСТВО', { align: 'center' });
  doc.fontSize(14).text('о прохождении образовательного мероприятия', { align: 'center' });
  doc.text('непрерывного медицинского образования', { align: 'center' });
  doc.moveDown().fillColor('#1f2a37').fontSize(12).text(`№ ${certificate.number}`, { align: 'center' });
  doc.moveDown(2).fontSize(12).text('Настоящее свидетельство подтверждает, что');
  doc.moveDown(0.5).fontSize(18).text(view.person, { align: 'center' });
  doc.moveDown(0.5).fontSize(12).text(`прошёл(а) ${eventKinds[event.kind].toLowerCase()}`);
  doc.moveDown(0.5).fontSize(14).text(`«${event.title}»`, { align: 'center' });
  doc.moveDown(1.5).fontSize(12);
  const rows: Array<[string, string]> = [
    ['Специальность', event.specialty],
    ['Сроки проведения', `${day(event.startsAt)} — ${day(event.endsAt)}`],
    ['Формат', event.format],
    ['Трудоёмкость', `${event.credits} ЗЕТ`],
    ['Организатор', event.organiser],
    ['Дата выдачи', moscowTime(certificate.issuedAt)],
  ];
  for (const [label, value] of rows) doc.text(`${label}: ${value}`);
  doc.moveDown(2).fontSize(10).fillColor('#52606d').text('Проверить подлинность свидетельства:');
  doc.fillColor('#0d6efd').text(view.verifyUrl, { link: view.verifyUrl, underline: true });
  doc.end();
  return done;
}
