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
import { newReference } from '../../errors/reference.ts';
import { restCodes, type RestCode } from '../errors.ts';
import type { Endpoint, Esia } from '../face.ts';
import { collection, collections, element, embedNames, hasAny, parseEmbed, personRoot, scopesFor, type Collection } from '../person.ts';
import { scopeName } from '../protocol.ts';

function restError(ctx: Context, e: Esia, code: RestCode, reason: string): void {
  const ref = newReference();
  Object.assign(ctx.state.audit, { action: `esia ${ctx.method} /rs`, outcome: 'refused', code, ref, details: { diagnosis: reason } });
  if (e.s.config.log) console.log(`[esia-emulator] ${ctx.path} refused ${code} (${ref}): ${reason}`);
  ctx.set('X-Esia-Reference', ref);
  ctx.set('X-Esia-Diagnosis', encodeURIComponent(reason));
  ctx.status = restCodes[code].status;
  ctx.body = { code, message: restCodes[code].message };
}

/** The access token's scopes, subject and system; undefined once refused. */
function bearer(ctx: Context, e: Esia): { scopes: string[]; sbj?: string; clientId: string } | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
  if (!m) {
    restError(ctx, e, 'ESIA-005011', 'no Authorization: Bearer <access_token> header');
    return undefined;
  }
  const checked = e.tokens.verifyAccess(m[1]!);
  if (!checked.ok) {
    restError(ctx, e, checked.code, checked.reason);
    return undefined;
  }
  const scope = String(checked.payload.scope ?? '');
  const sbj = checked.payload['urn:esia:sbj_id'];
  return { scopes: scope.split(' ').filter(Boolean).map(scopeName), ...(sbj !== undefined ? { sbj: String(sbj) } : {}), clientId: String(checked.payload.client_id) };
}

/** The person of :oid when the token is theirs; undefined once refused. */
function person(ctx: Context, e: Esia): { account: Account; scopes: string[] } | undefined {
  const who = bearer(ctx, e);
  if (!who) return undefined;
  const oid = String(ctx.params.oid);
  if (who.sbj !== oid) {
    restError(ctx, e, 'ESIA-005029', `the token is for oid ${who.sbj ?? '(none: a client_credentials token)'}, the request is for ${oid}`);
    return undefined;
  }
  const owner = e.s.runs.accountByOid(oid);
  if (!owner) {
    restError(ctx, e, 'ESIA-005011', `no person with oid ${oid} (run deleted or reset)`);
    return undefined;
  }
  ctx.state.audit.account = oid;
  ctx.state.audit.client = who.clientId;
  ctx.set('Cache-Control', 'no-store, no-cache, must-revalidate');
  return { account: owner.account, scopes: who.scopes };
}

export const personResource: Endpoint = (ctx, e) => {
  const p = person(ctx, e);
  if (!p) return;
  const root = personRoot(p.account, p.scopes);
  for (const name of parseEmbed(ctx.query.embed)) {
    const c = embedNames[name];
    if (c && hasAny(p.scopes, scopesFor(c))) root[name] = collection(p.account, c, p.scopes, e.issuerOrigin, true);
  }
  ctx.set('Link', collections.map((c) => `<${e.issuerOrigin}/rs/prns/${p.account.oid}/${c}>;rel=${Object.entries(embedNames).find(([, v]) => v === c)?.[0] ?? c}`).join(', '));
  ctx.type = `application/json; schema="${e.issuerOrigin}/rs/model/prn/Person-3"`;
  ctx.body = root;
};

export const personCollection: Endpoint = (ctx, e) => {
  const name = String(ctx.params.collection) as Collection;
  if (!collections.includes(name)) return;
  const p = person(ctx, e);
  if (!p) return;
  if (!hasAny(p.scopes, scopesFor(name))) return restError(ctx, e, 'ESIA-005029', `/${name} needs one of the scopes ${scopesFor(name).join(', ')}; the token has ${p.scopes.join(' ')}`);
  const embed = parseEmbed(ctx.query.embed).includes('elements');
  ctx.body = collection(p.account, name, p.scopes, e.issuerOrigin, embed);
};

export const personElement: Endpoint = (ctx, e) => {
  const name = String(ctx.params.collection) as Collection;
  if (!collections.includes(name)) return;
  const p = person(ctx, e);
  if (!p) return;
  if (!hasAny(p.scopes, scopesFor(name))) return restError(ctx, e, 'ESIA-005029', `/${name} needs one of the scopes ${scopesFor(name).join(', ')}`);
  const found = element(p.account, name, String(ctx.params.id), p.scopes);
  if (!found) {
    ctx.status = 404;
    ctx.body = { code: 'ESIA-005404', message: 'not found' };
    return;
  }
  ctx.body = found;
};

export const organisation: Endpoint = (ctx, e) => {
  const who = bearer(ctx, e);
  if (!who) return;
  restError(ctx, e, 'ESIA-005029', `organisation ${String(ctx.params.oid)}: the emulator's personas belong to no organisation, so no token opens it`);
};
