/*
 * The person REST API, Bearer access token:
 *   GET /rs/prns/{oid}[?embed=(contacts.elements,…)]   the person, with the collections asked for
 *   GET /rs/prns/{oid}/{ctts|addrs|docs|vhls|kids|roles|orgs}[?embed=(elements)]   one collection
 *   GET /rs/prns/{oid}/{collection}/{id}                one element
 *   GET /rs/orgs/{oid}                                  an organisation (the personas have none)
 * Refusals are ESIA's REST ones ({code, message}) with the reference and the diagnosis in headers.
 */
import type { Context } from 'koa';
import type { Account } from '../../domain/account.ts';
import { EsiaProtocolError, type RestCode } from '../errors.ts';
import type { Endpoint, Esia } from '../face.ts';
import {
  collection,
  collections,
  element,
  embedNames,
  hasAny,
  parseEmbed,
  personRoot,
  scopesFor,
  type Collection,
} from '../person.ts';
import { scopeName } from '../protocol.ts';

/** A refusal of the REST API, answered by the error boundary as ESIA's {code, message}. */
function restError(code: RestCode, reason: string): EsiaProtocolError {
  return new EsiaProtocolError(code, reason).at('/rs', {}, { rest: true });
}

/** The access token's scopes, subject and system; throws the REST refusal. */
async function bearer(ctx: Context, e: Esia): Promise<{ scopes: string[]; sbj?: string; clientId: string }> {
  const m = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
  if (!m) throw restError('ESIA-005011', 'no Authorization: Bearer <access_token> header');
  const checked = await e.tokens.verifyAccess(m[1]!);
  if (!checked.ok) throw restError(checked.code, checked.reason);
  const scope = String(checked.payload.scope ?? '');
  const sbj = checked.payload['urn:esia:sbj_id'];
  return {
    scopes: scope.split(' ').filter(Boolean).map(scopeName),
    ...(sbj !== undefined ? { sbj: String(sbj) } : {}),
    clientId: String(checked.payload.client_id),
  };
}

/** The person of :oid when the token is theirs; throws the REST refusal. */
async function person(ctx: Context, e: Esia): Promise<{ account: Account; scopes: string[] }> {
  const who = await bearer(ctx, e);
  const oid = String(ctx.params.oid);
  if (who.sbj !== oid)
    throw restError(
      'ESIA-005029',
      `the token is for oid ${who.sbj ?? '(none: a client_credentials token)'}, the request is for ${oid}`,
    );
  const owner = e.s.runs.accountByOid(oid);
  if (!owner) throw restError('ESIA-005011', `no person with oid ${oid} (run deleted or reset)`);
  ctx.state.audit.account = oid;
  ctx.state.audit.client = who.clientId;
  ctx.set('Cache-Control', 'no-store, no-cache, must-revalidate');
  return { account: owner.account, scopes: who.scopes };
}

export const personResource: Endpoint = async (ctx, e) => {
  const p = await person(ctx, e);
  const root = personRoot(p.account, p.scopes);
  for (const name of parseEmbed(ctx.query.embed)) {
    const c = embedNames[name];
    if (c && hasAny(p.scopes, scopesFor(c))) root[name] = collection(p.account, c, p.scopes, e.issuerOrigin, true);
  }
  ctx.set(
    'Link',
    collections
      .map(
        (c) =>
          `<${e.issuerOrigin}/rs/prns/${p.account.oid}/${c}>;rel=${Object.entries(embedNames).find(([, v]) => v === c)?.[0] ?? c}`,
      )
      .join(', '),
  );
  ctx.type = `application/json; schema="${e.issuerOrigin}/rs/model/prn/Person-3"`;
  ctx.body = root;
};

export const personCollection: Endpoint = async (ctx, e) => {
  const name = String(ctx.params.collection) as Collection;
  if (!collections.includes(name)) return;
  const p = await person(ctx, e);
  if (!hasAny(p.scopes, scopesFor(name)))
    throw restError(
      'ESIA-005029',
      `/${name} needs one of the scopes ${scopesFor(name).join(', ')}; the token has ${p.scopes.join(' ')}`,
    );
  const embed = parseEmbed(ctx.query.embed).includes('elements');
  ctx.body = collection(p.account, name, p.scopes, e.issuerOrigin, embed);
};

export const personElement: Endpoint = async (ctx, e) => {
  const name = String(ctx.params.collection) as Collection;
  if (!collections.includes(name)) return;
  const p = await person(ctx, e);
  if (!hasAny(p.scopes, scopesFor(name)))
    throw restError('ESIA-005029', `/${name} needs one of the scopes ${scopesFor(name).join(', ')}`);
  const found = element(p.account, name, String(ctx.params.id), p.scopes);
  if (!found) {
    ctx.status = 404;
    ctx.body = { code: 'ESIA-005404', message: 'not found' };
    return;
  }
  ctx.body = found;
};

export const organisation: Endpoint = async (ctx, e) => {
  await bearer(ctx, e);
  throw restError(
    'ESIA-005029',
    `organisation ${String(ctx.params.oid)}: the emulator's personas belong to no organisation, so no token opens it`,
  );
};
