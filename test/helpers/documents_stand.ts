/*
 * The documents' tests over HTTP share this: a stand for the test file, a person signed in to the
 * cabinet in an isolated run, their run's upload folder, the upload form and a hand-made upload.
 * Import from a test file only: the stand's hooks register on that file's ava.
 */
import type { ExecutionContext } from 'ava';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HttpBrowser } from '../../scenarios/runner/http_browser.ts';
import { newRun } from '../../scenarios/runner/stand.ts';
import { signInThrough } from './sign_in.ts';
import { sharedStand } from './stand.ts';
import { formAction, multipart, postAs } from './uploads.ts';

export const ivanov = { phone: '+79000000001', snils: '112-233-401 83' };
export const belova = { phone: '+79000000017', snils: '112-233-417 91' };

export function documentsStand() {
  const shared = sharedStand();

  /** A person signed in to the cabinet, in an isolated run of their own unless `run` is given ('main': the stand's main run). */
  async function signedIn(t: ExecutionContext, who = ivanov, run?: string) {
    const { stand } = shared;
    const b = new HttpBrowser();
    let id = run;
    if (!id) {
      const made = await newRun(stand);
      t.teardown(made.end);
      id = made.run;
    }
    if (id !== 'main') await b.setCookie(stand.idp, 'esia_run', id);
    const { screen } = await signInThrough(
      stand.rp,
      stand.idp,
      who.phone,
      'Test-1234',
      b,
      id === 'main' ? undefined : id,
    );
    t.is(screen, 'cabinet', `${who.phone}: ${b.errorCode()} ${b.current()?.url}`);
    return { b, run: id };
  }

  const uploadsOf = async (run: string) =>
    readdir(join(shared.stand.dataDir, 'uploads', 'fmrm', run)).catch(() => [] as string[]);

  async function uploadAction(b: HttpBrowser): Promise<string> {
    await b.goto(`${shared.stand.rp}/documents/upload`);
    return formAction(b, 'upload-form');
  }

  async function upload(
    b: HttpBrowser,
    file: { filename?: string; data: Buffer; type?: string },
    fields = { type: 'diploma', title: 'Диплом № 1' },
  ) {
    const { body, contentType } = multipart([
      { name: 'type', value: fields.type },
      { name: 'title', value: fields.title },
      { name: 'file', filename: file.filename ?? 'scan.pdf', data: file.data, type: file.type ?? 'application/pdf' },
    ]);
    return postAs(b, await uploadAction(b), body, contentType);
  }

  /** The stand's ФМРМ control API; the run is named in each path (?run=). */
  const rpControl = () => shared.stand.controlAt(shared.stand.rp);
  const documentsIn = async (run: string, snils: string) =>
    (
      await rpControl()<{
        documents: Array<{ id: string; type: string; title: string; status: string; files: unknown[] }>;
      }>('GET', `/documents?run=${run}&snils=${encodeURIComponent(snils)}`)
    ).documents;
  return { shared, signedIn, uploadsOf, uploadAction, upload, rpControl, documentsIn };
}
