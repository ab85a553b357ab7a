/*
 * Electronic signature on the certificate screen through the signing-plugin stand-in (A4, A5): what
 * the person does — optionally load a key file, pick a certificate, type the token's PIN, press
 * «Подписать и войти». The Chromium driver does it on the real page; the HTTP driver makes the
 * plugin calls the page's script makes and submits the form.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { Fields } from '../runner/driver.ts';
import { ScenarioError } from '../runner/scenario_error.ts';
import { defineStep, type PerDriver } from './kind.ts';

export interface EsignAction {
  pin: string;
  /** Part of the certificate's id or label on the token, e.g. "ivanov-expired"; the first one when absent. */
  certificate?: string;
  /** Text of a test key file (certificate + PKCS#8 key) to load into the token first; it is then chosen. */
  keyFile?: string;
  /** Signs this challenge instead of the page's (replay, another sign-in's challenge). */
  challenge?: string;
  /** Spoils one character of the signature before it is posted. */
  tamperSignature?: boolean;
}

const spoil = (signature: string) => `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;

const drivers: PerDriver<EsignAction> = {
  /** What the certificate page's script does, by hand: plugin calls, then the form. */
  async http(b, action) {
    const page = b.requirePage();
    const api = `${new URL(page.url).origin}/plugin/api`;
    let chosen: string | undefined;
    if (action.keyFile) {
      const imported = await b.json(`${api}/import`, { pem: action.keyFile });
      if (imported.status !== 201)
        throw new ScenarioError(`The plugin stand-in refused the key file: ${String(imported.body.message)}`);
      chosen = String(imported.body.id);
    }
    if (!chosen) {
      const token = await b.json(`${api}/certificates`);
      const list = (token.body.certificates ?? []) as Array<{ id: string; label: string }>;
      const want = action.certificate;
      chosen = list.find((c) => !want || c.id.includes(want) || c.label.includes(want))?.id;
      if (!chosen)
        throw new ScenarioError(
          `No certificate${want ? ` matching "${want}"` : ''} on the virtual token; it holds: ${list.map((c) => c.id).join(', ') || 'nothing'}`,
        );
    }
    const challenge = action.challenge ?? b.byTestId('esign-challenge')?.getAttribute('value') ?? '';
    const signed = await b.json(`${api}/sign`, { certificate: chosen, pin: action.pin, data: challenge });
    let fields: Fields;
    if (signed.status === 200) {
      const signature = String(signed.body.signature);
      fields = {
        challenge,
        certificate: String(signed.body.certificate),
        signature: action.tamperSignature ? spoil(signature) : signature,
        plugin_error: '',
      };
    } else if (typeof signed.body.error === 'string') {
      fields = { challenge, plugin_error: signed.body.error };
    } else {
      throw new ScenarioError(`The plugin stand-in did not sign: ${signed.status} ${String(signed.body.message)}`);
    }
    await b.click('esign-sign', fields);
  },

  /** As a person does it: (load a key file through the file picker,) pick the certificate, type the PIN, press the button. */
  async browser(c, action) {
    const page = c.requirePage();
    const where = `${page.url()} (screen "${c.current()?.screen ?? ''}")`;
    const select = c.byTestId('esign-certificate');
    // The plugin's list is filled by the page's script.
    await select
      .and(page.locator('[data-loaded]'))
      .waitFor({ state: 'attached' })
      .catch(() => {
        throw new ScenarioError(`The plugin stand-in never listed the token's certificates on ${where}`);
      });
    if (action.keyFile) {
      const dir = await mkdtemp(join(tmpdir(), 'esia-keyfile-'));
      const file = join(dir, `test-key-${randomBytes(4).toString('hex')}.pem`);
      await writeFile(file, action.keyFile, { mode: 0o600 });
      try {
        await c.byTestId('esign-file').setInputFiles(file);
        await select.and(page.locator('[data-imported]')).waitFor({ state: 'attached' });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    } else {
      const want = action.certificate;
      const value = await select.evaluate(
        (el, w) =>
          [...(el as HTMLSelectElement).options].find((o) => !w || o.value.includes(w) || o.text.includes(w))?.value ??
          null,
        want ?? '',
      );
      if (!value)
        throw new ScenarioError(`No certificate${want ? ` matching "${want}"` : ''} in the plugin's list on ${where}`);
      await select.selectOption(value);
    }
    if (action.challenge !== undefined) {
      await c.byTestId('esign-challenge').evaluate((el, v) => ((el as HTMLInputElement).value = v), action.challenge);
    }
    await c.byTestId('esign-pin').fill(action.pin);
    const isSubmit = (u: URL) => /\/interaction\/[^/]+\/certificate$/.test(u.pathname);
    if (action.tamperSignature) {
      await page.route(
        isSubmit,
        (route) => {
          const form = new URLSearchParams(route.request().postData() ?? '');
          form.set('signature', spoil(form.get('signature') ?? ''));
          return route.continue({ postData: form.toString() });
        },
        { times: 1 },
      );
    }
    try {
      await c.navigate(() => c.byTestId('esign-sign').click(), `sign on ${where}`);
    } finally {
      if (action.tamperSignature) await page.unroute(isSubmit).catch(() => undefined);
    }
  },
};

export const esign = defineStep({
  kind: 'esign',
  description:
    'Electronic signature on the certificate screen through the signing-plugin stand-in. pin: the token\'s PIN (default 12345678); certificate: part of a token entry\'s id such as "ivanov-expired"; keyFile: load this persona\'s test key file (variant, default valid) first; challenge: "previous" signs the challenge this sign-in showed before (replay), "other-session" one shown to another sign-in; tamper "signature" spoils the signature.',
  fields: {
    pin: z.string().optional(),
    certificate: z.string().optional(),
    keyFile: z
      .strictObject(
        { persona: z.string().optional(), variant: z.string().optional() },
        { error: 'expected {"persona"?: "ivanov", "variant"?: "valid"}' },
      )
      .optional(),
    challenge: z.enum(['previous', 'other-session'], { error: 'expected "previous" or "other-session"' }).optional(),
    tamper: z.literal('signature', { error: 'expected "signature"' }).optional(),
  },
  describeRu: (step) =>
    `В плагине электронной подписи ${step.keyFile ? `загрузите файл ключа (${step.keyFile.persona ?? 'персона'}, ${step.keyFile.variant ?? 'valid'}), ` : step.certificate ? `выберите сертификат ${step.certificate}, ` : ''}введите PIN-код ${step.pin ?? '12345678'} и нажмите «Подписать и войти»${step.challenge || step.tamper ? ' (подмена запроса или подписи проверяется автотестом)' : ''}`,
  async run(ctx, step, where) {
    ctx.requireScreen('certificate', where);
    const b = ctx.browser;
    const uid = /\/interaction\/([\w-]+)/.exec(ctx.page?.url ?? '')?.[1] ?? '';
    const current = (await b.attribute('esign-challenge', 'value')) ?? '';
    if (!ctx.challenges.some((c) => c.challenge === current)) ctx.challenges.push({ uid, challenge: current });
    let challenge: string | undefined;
    if (step.challenge === 'previous') {
      challenge = ctx.challenges.findLast((c) => c.uid === uid && c.challenge !== current)?.challenge;
      if (!challenge)
        throw new ScenarioError(`${where}: no earlier challenge of this sign-in to replay (sign once before)`);
    } else if (step.challenge === 'other-session') {
      challenge = ctx.challenges.findLast((c) => c.uid !== uid)?.challenge;
      if (!challenge) throw new ScenarioError(`${where}: no challenge of another sign-in was shown yet`);
    }
    let keyFile: string | undefined;
    if (step.keyFile) {
      const persona = step.keyFile.persona ?? ctx.persona.persona;
      keyFile = (
        await ctx.control<{ bundle: string }>(
          'GET',
          `/personas/${persona}/certificate?variant=${step.keyFile.variant ?? 'valid'}`,
        )
      ).bundle;
    }
    await ctx.perform(drivers, {
      pin: step.pin ?? '12345678',
      ...(step.certificate ? { certificate: step.certificate } : {}),
      ...(keyFile ? { keyFile } : {}),
      ...(challenge ? { challenge } : {}),
      ...(step.tamper === 'signature' ? { tamperSignature: true } : {}),
    });
  },
});
