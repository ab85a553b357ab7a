/* The console's certificate actions (E2): revoke a certificate of the account live in the console's run, re-issue one. */
import type Router from '@koa/router';
import {
  issuePersonCertificate,
  revocationReasonCodes,
  type IssuedCertificate,
  type RevocationReason,
} from '../../lib/pki/test_pki.ts';
import { moscowTime } from '../domain/outage.ts';
import { EsiaError } from '../errors/esia_error.ts';
import { field } from '../forms.ts';
import type { Run } from '../runs.ts';
import type { ConsoleParts } from './console_parts.ts';

export function mountCertificateRoutes(router: Router, { s, form, allow, accountOf }: ConsoleParts): void {
  // Certificates of the test PKI (lib/pki): revoked live in the console's run, as /__control/certificates does.
  router.post('/accounts/:key/certificates/:serial/revoke', form, async (ctx) => {
    const current = await allow(ctx, 'revoke_certificate');
    if (!current) return;
    const { session, run } = current;
    const account = accountOf(run, String(ctx.params.key));
    ctx.state.audit.account = account.oid;
    const certificate = s.pki.bySerial(String(ctx.params.serial)) ?? run.issuedCertificate(String(ctx.params.serial));
    if (!certificate || certificate.kind !== 'person' || certificate.persona !== account.persona) {
      throw new EsiaError('support.bad_input', {
        operator: session.login,
        action: 'revoke_certificate',
        problem: `certificate ${String(ctx.params.serial)} is not one of ${account.persona}'s`,
      });
    }
    const reason = field(ctx, 'reason') || 'keyCompromise';
    if (!(reason in revocationReasonCodes)) {
      throw new EsiaError('support.bad_input', {
        operator: session.login,
        action: 'revoke_certificate',
        problem: `reason must be one of ${Object.keys(revocationReasonCodes).join(', ')}; got ${JSON.stringify(reason)}`,
      });
    }
    run.revocations.revoke(certificate.serial, run.clock.now(), reason as RevocationReason);
    ctx.state.audit.details = { serial: certificate.serial, variant: certificate.variant, reason };
    session.flash = {
      kind: 'notice',
      text: `Сертификат ${certificate.serial} отозван (${reason}): вход с ним больше невозможен, CRL и OCSP этого прогона сообщают об отзыве.`,
    };
    ctx.status = 303;
    ctx.redirect(`/support/accounts/${account.oid}`);
  });

  // --- Re-issue a certificate (E2) --------------------------------------------------------------
  /**
   * The account's current certificate: the newest one this run re-issued that is not revoked, else
   * the persona's generated «valid» one unless revoked. None when every one is revoked.
   */
  const currentCertificate = (run: Run, persona: string): IssuedCertificate | undefined => {
    const candidates = [
      ...run.issuedCertificates.filter((c) => c.persona === persona).reverse(),
      ...s.pki.certificates.filter((c) => c.kind === 'person' && c.persona === persona && c.variant === 'valid'),
    ];
    return candidates.find((c) => !s.pki.revocationOf(c.serial, run.revocations));
  };

  router.post('/accounts/:key/certificates/reissue', form, async (ctx) => {
    const current = await allow(ctx, 'reissue_certificate');
    if (!current) return;
    const { session, run } = current;
    const account = accountOf(run, String(ctx.params.key));
    ctx.state.audit.account = account.oid;
    const now = run.clock.now();
    const issued = await issuePersonCertificate(s.pki, account, { at: now });
    const old = currentCertificate(run, account.persona);
    if (old) run.revocations.revoke(old.serial, now, 'superseded');
    run.issuedCertificates.push(issued);
    // The person's token gets the new certificate; the old one stays (and is refused as revoked).
    const entry = s.esign
      .personaToken(run, account.persona)
      .token.add(issued.certificatePem, issued.privateKeyPem, 'control', `${account.persona}-reissued`);
    ctx.state.audit.details = {
      serial: issued.serial,
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
      superseded: old?.serial ?? null,
      token: entry.id,
    };
    session.flash = {
      kind: 'notice',
      text: `Выпущен новый сертификат ${issued.serial}, действует с ${moscowTime(issued.notBefore)} по ${moscowTime(issued.notAfter)}. ${
        old
          ? `Прежний сертификат ${old.serial} отозван (заменён): вход с ним больше невозможен.`
          : 'Действующего сертификата не было: отзывать нечего.'
      } Новый сертификат записан на токен пользователя в этом прогоне.`,
    };
    ctx.status = 303;
    ctx.redirect(`/support/accounts/${account.oid}`);
  });
}
