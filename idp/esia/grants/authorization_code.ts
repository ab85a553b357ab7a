/* grant_type=authorization_code: the code of a browser sign-in, once, by its system, within its lifetime, with PKCE when /v2/ac asked for it. */
import { createHash } from 'node:crypto';
import { streebog256 } from '../../../lib/gost/index.ts';
import { EsiaProtocolError } from '../errors.ts';
import { elapsedSeconds, type CodeGrant } from '../tokens.ts';
import { checkIssuedTo, type Grant, invalidGrant, personTokens } from './grant.ts';

export const authorizationCode: Grant = {
  params: ['code', 'redirect_uri'],
  v3Kind: 'v3-te-code',
  async answer(ctx, e, params, system) {
    const code = await e.tokens.code(params.code!);
    if (!code)
      throw invalidGrant(
        'the code is unknown to the emulator (mistyped, from another emulator instance, or issued before a restart)',
      );
    if (code.used) throw invalidGrant('the code was already exchanged; a code is single-use', { reused: true });
    const age = elapsedSeconds(code);
    if (age > e.settings.codeTtlSeconds) {
      await e.tokens.spendCode(params.code!);
      throw invalidGrant(`the code expired: issued ${Math.round(age)} s ago, lifetime ${e.settings.codeTtlSeconds} s`, {
        ageSeconds: Math.round(age),
      });
    }
    checkIssuedTo('code', code, system);
    if (code.redirectUri !== params.redirect_uri)
      throw invalidGrant(
        `redirect_uri ${params.redirect_uri} differs from the authorization request's ${code.redirectUri}`,
      );
    const refusal = codeVerifierRefusal(code, params.code_verifier);
    if (refusal) {
      // A wrong verifier spends the code; a verifier sent for a code without a challenge does not.
      if (refusal.code === 'ESIA-007040') await e.tokens.spendCode(params.code!);
      throw refusal;
    }
    // Single use across processes: of two exchanges of one code, one spends it and the other is refused.
    if (!(await e.tokens.spendCode(params.code!)))
      throw invalidGrant('the code was already exchanged; a code is single-use', { reused: true });
    const answer = await personTokens(e, system, code, code.offline, params.state);
    ctx.state.audit.account = code.oid;
    return answer;
  },
};

/** PKCE (RFC 7636, and GOST3411 = Streebog-256): why the verifier does not do, if it does not. */
function codeVerifierRefusal(code: CodeGrant, verifier: string | undefined): EsiaProtocolError | undefined {
  if (verifier && !code.codeChallenge) {
    return new EsiaProtocolError(
      'ESIA-007039',
      'code_verifier was sent, but the authorization request to /v2/ac had no code_challenge',
    );
  }
  if (!code.codeChallenge) return undefined;
  const sent = verifier ?? '';
  const method = code.codeChallenge.method.toUpperCase();
  const computed =
    method === 'PLAIN'
      ? sent
      : method === 'GOST3411'
        ? Buffer.from(streebog256(new TextEncoder().encode(sent))).toString('base64url')
        : createHash('sha256').update(sent).digest('base64url');
  if (!sent || computed !== code.codeChallenge.value.replace(/=+$/, '')) {
    return new EsiaProtocolError(
      'ESIA-007040',
      sent
        ? `code_verifier does not match: ${method} of it is ${computed}, the code_challenge of /v2/ac was ${code.codeChallenge.value}`
        : `the authorization request had code_challenge (${method}); the token request must send code_verifier`,
    );
  }
  return undefined;
}
