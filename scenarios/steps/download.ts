/* Downloads the file a link on the page points to (a certificate PDF) and checks its type and what it says. The page stays. */
import { z } from 'zod';
import { readPdf } from '../../lib/pdf_text.ts';
import { ScenarioError } from '../runner/scenario_error.ts';
import { defineStep } from './kind.ts';
import { buttonRu } from './ru.ts';

const needs = 'a download step needs "testid" (the link) and "contentType" (e.g. "application/pdf")';

export const download = defineStep({
  kind: 'download',
  description:
    "Downloads the file a link (by data-testid) points to with this browser's cookies and checks its content type; for a PDF, `text` lists what its pages must say (read through the embedded font). The page stays.",
  fields: {
    testid: z.string({ error: needs }),
    contentType: z.string({ error: needs }),
    text: z.array(z.string(), { error: 'expected an array of strings' }).optional(),
  },
  describeRu: (step) =>
    `Скачайте файл по ссылке «${buttonRu(step.testid)}» и откройте его${step.text?.length ? `: в нём есть «${step.text.join('», «')}»` : ''}`,
  async run(ctx, step, where) {
    const href = await ctx.browser.attribute(step.testid, 'href');
    if (href === null)
      throw new ScenarioError(`${where}: no link [data-testid="${step.testid}"] on ${ctx.page?.url ?? 'no page'}`);
    const url = new URL(href, ctx.page?.url).href;
    const file = await ctx.browser.download(url);
    if (file.status !== 200 || !file.contentType.startsWith(step.contentType))
      throw new ScenarioError(
        `${where}: GET ${url} answered ${file.status} ${file.contentType || 'without a type'}, expected 200 ${step.contentType}`,
      );
    if (!step.text?.length) return;
    if (step.contentType !== 'application/pdf') throw new ScenarioError(`${where}: "text" is read only from a PDF`);
    const pdf = readPdf(file.body);
    if (!pdf.wellFormed)
      throw new ScenarioError(`${where}: ${url} is not a well-formed PDF (header, startxref, %%EOF)`);
    // Joined without a separator: a long line wrapped by the PDF's layout reads back whole (its break keeps the space).
    const said = pdf.lines.join('');
    const missing = step.text.filter((t) => !said.includes(t));
    if (missing.length)
      throw new ScenarioError(
        `${where}: the PDF lacks ${missing.map((t) => `«${t}»`).join(', ')}; it says: ${JSON.stringify(pdf.lines)}`,
      );
  },
});
