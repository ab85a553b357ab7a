/*
 * The person REST API (/rs/prns/{oid}…, /rs/orgs/{oid}) as ESIA answers it: a root object whose
 * fields depend on the granted scopes, and collections {stateFacts, size, eTag, elements} whose
 * elements are absolute URLs, or objects with ?embed=(elements). Data comes from the account of
 * the run that owns the oid; documents, addresses and ids are synthetic and derived from the oid.
 */
import { createHash } from 'node:crypto';
import type { Account } from '../domain/account.ts';

export type Collection = 'ctts' | 'addrs' | 'docs' | 'vhls' | 'kids' | 'roles' | 'orgs';
export const collections: readonly Collection[] = ['ctts', 'addrs', 'docs', 'vhls', 'kids', 'roles', 'orgs'];
/** Root embed names → collections. */
export const embedNames: Record<string, Collection> = {
  contacts: 'ctts',
  addresses: 'addrs',
  documents: 'docs',
  vehicles: 'vhls',
  kids: 'kids',
  organizations: 'orgs',
  roles: 'roles',
};

const docScopes = [
  'id_doc',
  'medical_doc',
  'military_doc',
  'foreign_passport_doc',
  'drivers_licence_doc',
  'birth_cert_doc',
  'residence_doc',
  'temporary_residence_doc',
];

/** Which scopes open a collection; the root opens with any person scope. */
export function scopesFor(collection: Collection): string[] {
  switch (collection) {
    case 'ctts':
      return ['contacts', 'email', 'mobile'];
    case 'addrs':
      return ['addresses'];
    case 'docs':
      return docScopes;
    case 'vhls':
      return ['vehicles'];
    case 'kids':
      return ['kids'];
    case 'roles':
    case 'orgs':
      return ['usr_org'];
  }
}

export function eTag(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value)).digest('hex').toUpperCase();
}

const withTag = <T extends object>(value: T): T & { eTag: string } => ({ ...value, eTag: eTag(value) });

function ddmmyyyy(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}.${m}.${y}`;
}

function baseId(oid: string): number {
  return Number(BigInt(oid) % 10_000_000n) * 10;
}

/** Every element of a collection for this person, with the scopes that reveal each. */
function elementsOf(
  account: Account,
  collection: Collection,
): Array<{ id: number; scopes: string[]; value: Record<string, unknown> }> {
  const base = baseId(account.oid);
  switch (collection) {
    case 'ctts':
      return [
        {
          id: base + 1,
          scopes: ['contacts', 'mobile'],
          value: {
            stateFacts: ['Identifiable'],
            id: base + 1,
            type: 'MBT',
            vrfStu: account.phoneConfirmed ? 'VERIFIED' : 'NOT_VERIFIED',
            value: `+7(${account.phone.slice(2, 5)})${account.phone.slice(5)}`,
          },
        },
        {
          id: base + 2,
          scopes: ['contacts', 'email'],
          value: {
            stateFacts: ['Identifiable'],
            id: base + 2,
            type: 'EML',
            vrfStu: account.emailConfirmed ? 'VERIFIED' : 'NOT_VERIFIED',
            value: account.email,
          },
        },
      ];
    case 'addrs':
      return ['PRG', 'PLV'].map((type, i) => ({
        id: base + 3 + i,
        scopes: ['addresses'],
        value: {
          stateFacts: ['Identifiable'],
          id: base + 3 + i,
          type,
          addressStr: 'г Москва, ул Тестовая',
          countryId: 'RUS',
          zipCode: '101000',
          region: 'Москва',
          city: 'Москва',
          street: 'Тестовая',
          house: String(1 + (base % 90)),
          flat: String(1 + (base % 200)),
        },
      }));
    case 'docs': {
      if (account.trust === 'simplified') return [];
      const n = String(base).padStart(10, '0');
      return [
        {
          id: base + 5,
          scopes: ['id_doc'],
          value: {
            stateFacts: ['EntityRoot'],
            id: base + 5,
            type: 'RF_PASSPORT',
            vrfStu: 'VERIFIED',
            series: n.slice(0, 4),
            number: n.slice(4, 10),
            issueDate: '01.01.2015',
            issueId: '770001',
            issuedBy: 'ТЕСТОВОЕ ОТДЕЛЕНИЕ (вымышленные данные)',
          },
        },
      ];
    }
    default:
      return [];
  }
}

export function hasAny(granted: string[], needed: string[]): boolean {
  return needed.some((s) => granted.includes(s));
}

/** The root person object limited to the granted scopes (bare scope names). */
export function personRoot(account: Account, granted: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { stateFacts: ['EntityRoot'] };
  if (granted.includes('fullname'))
    Object.assign(out, { firstName: account.firstName, lastName: account.lastName, middleName: account.middleName });
  if (granted.includes('birthdate')) out.birthDate = ddmmyyyy(account.birthDate);
  if (granted.includes('birthplace')) out.birthPlace = 'г. Москва';
  if (granted.includes('gender')) out.gender = account.gender === 'female' ? 'F' : 'M';
  Object.assign(out, { trusted: account.trust === 'confirmed' });
  if (granted.includes('fullname') || granted.includes('id_doc')) out.citizenship = 'RUS';
  if (granted.includes('snils')) out.snils = account.snils;
  if (granted.includes('inn')) out.inn = account.inn;
  const docs = elementsOf(account, 'docs');
  Object.assign(out, {
    updatedOn: Math.floor(Date.parse(account.passwordChangedAt) / 1000) || 0,
    status: account.status === 'inactive' ? 'DEACTIVATED' : 'REGISTERED',
    verifying: false,
    ...(docs[0] ? { rIdDoc: docs[0].id } : {}),
    containsUpCfmCode: false,
  });
  return withTag(out);
}

export function collection(
  account: Account,
  name: Collection,
  granted: string[],
  base: string,
  embed: boolean,
): Record<string, unknown> {
  const visible = elementsOf(account, name).filter((e) => hasAny(granted, e.scopes));
  const value = {
    stateFacts: ['hasSize'],
    size: visible.length,
    elements: visible.map((e) => (embed ? withTag(e.value) : `${base}/rs/prns/${account.oid}/${name}/${e.id}`)),
  };
  return withTag(value);
}

export function element(
  account: Account,
  name: Collection,
  id: string,
  granted: string[],
): Record<string, unknown> | undefined {
  const found = elementsOf(account, name).find((e) => String(e.id) === id && hasAny(granted, e.scopes));
  return found ? withTag(found.value) : undefined;
}

/** `(contacts.elements,documents.elements-1)` → ['contacts', 'documents']; `(elements)` → ['elements']. */
export function parseEmbed(embed: unknown): string[] {
  if (typeof embed !== 'string') return [];
  return embed
    .replace(/^\(|\)$/g, '')
    .split(',')
    .map((e) =>
      e
        .trim()
        .replace(/\.elements(-\d+)?$/, '')
        .replace(/-\d+$/, ''),
    )
    .filter(Boolean);
}
