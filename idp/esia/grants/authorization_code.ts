/* grant_type=authorization_code: the code of a browser sign-in, once, by its system, within its lifetime, with PKCE when /v2/ac asked for it. */
import { createHash } from 'node:crypto';
import { streebog256 } from '../../../lib/gost/index.ts';
import { EsiaProtocolError } from '../errors.ts';
import { elapsedSeconds, type CodeGrant } from '../tokens.ts';
import { checkIssuedTo, type Grant, invalidGrant, personTokens } from './grant.ts';

export const authorizationCode: Grant = {
  params: ['code', 'redirect_uri'],
  v3Kind: 'v3-te-code',
  answer(ctx, e, params, system) {
    const code = e.tokens.codes.get(params.code!);
    if (!code)
      throw invalidGrant(
        'the code is unknown to the emulator (mistyped, from another emulator instance, or issued before a restart)',
      );
    if (code.used) throw invalidGrant('the code was already exchanged; a code is single-use', { reused: true });
    const age = elapsedSeconds(code);
    if (age > e.settings.codeTtlSeconds) {
      code.used = true;
      throw invalidGrant(`the code expired: issued ${Math.round(age)} s ago, lifetime ${e.settings.codeTtlSeconds} s`, {
        ageSeconds: Math.round(age),
      });
    }
    checkIssuedTo('code', code, system);
    if (code.redirectUri !== params.redirect_uri)
      throw invalidGrant(
        `redirect_uri ${params.redirect_uri} differs from the authorization request's ${code.redirectUri}`,
      );
    checkCodeVerifier(code, params.code_verifier);
    code.used = true;
    const answer = personTokens(e, system, code, code.offline, params.state);
    ctx.state.audit.account = code.oid;
    return answer;
  },
};

/** PKCE (RFC 7636, and GOST3411 = Streebog-256): a wrong verifier spends the code. */
function checkCodeVerifier(code: CodeGrant, verifier: string | undefined): void {
  if (verifier && !code.codeChallenge) {
    throw new EsiaProtocolError(
      'ESIA-007039',
      'code_verifier was sent, but the authorization request to /v2/ac had no code_challenge',
    );
  }
  if (!code.codeChallenge) return;
  const sent = verifier ?? '';
  const method = code.codeChallenge.method.toUpperCase();
  const computed =
    method === 'PLAIN'
      ? sent
      : method === 'GOST3411'
        ? Buffer.from(streebog256(new TextEncoder().encode(sent))).toString('base64url')
        : createHash('sha256').update(sent).digest('base64url');
  if (!sent || computed !== code.codeChallenge.value.replace(/=+$/, '')) {
    code.used = true;
    throw new EsiaProtocolError(
      'ESIA-007040',
      sent
        ? `code_verifier does not match: ${method} of it is ${computed}, the code_challenge of /v2/ac was ${code.codeChallenge.value}`
        : `the authorization request had code_challenge (${method}); the token request must send code_verifier`,
    );
  }
}
