/**
 * Minimal ASN.1 layer for the GOST code: BER/DER parsing through asn1js (into a small plain tree
 * that keeps each element's exact bytes, needed for TBS and signed-attribute checks) and a tiny
 * DER encoder for the structures this folder builds (certificates, PKCS#8 keys, CMS SignedData).
 */
import * as asn1js from 'asn1js';

/** One parsed element. `raw` is the whole TLV as received; `content` the primitive value bytes. */
export interface Asn1Node {
  tagClass: 'universal' | 'application' | 'context' | 'private';
  tag: number;
  constructed: boolean;
  raw: Uint8Array;
  content: Uint8Array;
  children: Asn1Node[];
}

const CLASS_NAMES = ['universal', 'universal', 'application', 'context', 'private'] as const;

function convert(block: asn1js.AsnType): Asn1Node {
  const b = block as asn1js.BaseBlock;
  const tagClass = CLASS_NAMES[b.idBlock.tagClass] ?? 'universal';
  const constructed = b.idBlock.isConstructed;
  const children: Asn1Node[] = [];
  const vb = b.valueBlock as unknown as { value?: unknown };
  if (constructed && Array.isArray(vb.value)) {
    for (const child of vb.value as asn1js.AsnType[]) {
      // asn1js represents the end-of-contents marker of indefinite lengths as a child: skip it.
      if (child instanceof asn1js.EndOfContent) continue;
      children.push(convert(child));
    }
  }
  const raw = new Uint8Array(b.valueBeforeDecodeView);
  let content: Uint8Array;
  if (!constructed) {
    // Primitive encodings always have a definite length: the value is the tail of the TLV.
    content = raw.slice(raw.length - b.lenBlock.length);
    // Drop the unused-bits octet of a BIT STRING (keys and signatures use whole octets).
    if (tagClass === 'universal' && b.idBlock.tagNumber === 3) content = content.slice(1);
  } else {
    // A constructed string (BER): the value is the concatenation of its segments.
    content = concat(...children.map((c) => c.content));
  }
  return { tagClass, tag: b.idBlock.tagNumber, constructed, raw, content, children };
}

/** Parse one BER/DER element that must span the whole input. Throws on garbage. */
export function parseAsn1(der: Uint8Array): Asn1Node {
  const res = asn1js.fromBER(der);
  if (res.offset === -1) throw new Error(`ASN.1 parse error: ${res.result.error || 'malformed'}`);
  if (res.offset !== der.length) throw new Error('ASN.1 parse error: trailing bytes after the element');
  return convert(res.result);
}

export function isUniversal(n: Asn1Node, tag: number): boolean {
  return n.tagClass === 'universal' && n.tag === tag;
}

export function isContext(n: Asn1Node, tag: number): boolean {
  return n.tagClass === 'context' && n.tag === tag;
}

export function expectUniversal(n: Asn1Node | undefined, tag: number, what: string): Asn1Node {
  if (!n || !isUniversal(n, tag)) throw new Error(`ASN.1: expected ${what}`);
  return n;
}

export const TAG = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  UTF8String: 12,
  SEQUENCE: 16,
  SET: 17,
  NumericString: 18,
  PrintableString: 19,
  IA5String: 22,
  UTCTime: 23,
  GeneralizedTime: 24,
  BMPString: 30,
} as const;

/** Dotted OID of an OBJECT IDENTIFIER node. */
export function oidOf(n: Asn1Node | undefined): string {
  const node = expectUniversal(n, TAG.OID, 'OBJECT IDENTIFIER');
  const c = node.content;
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < c.length; i++) {
    v = v * 128 + (c[i]! & 0x7f);
    if (!(c[i]! & 0x80)) {
      if (parts.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        parts.push(first, v - first * 40);
      } else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** Unsigned value of an INTEGER node. */
export function integerOf(n: Asn1Node | undefined): bigint {
  const node = expectUniversal(n, TAG.INTEGER, 'INTEGER');
  let v = 0n;
  for (const b of node.content) v = (v << 8n) | BigInt(b);
  if (node.content.length && node.content[0]! & 0x80) v -= 1n << BigInt(node.content.length * 8);
  return v;
}

/** Time of a UTCTime or GeneralizedTime node. */
export function timeOf(n: Asn1Node | undefined): Date {
  if (!n || !(isUniversal(n, TAG.UTCTime) || isUniversal(n, TAG.GeneralizedTime)))
    throw new Error('ASN.1: expected a time');
  const s = new TextDecoder().decode(n.content);
  const m =
    n.tag === TAG.UTCTime
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/.exec(s);
  if (!m) throw new Error(`ASN.1: unsupported time ${s}`);
  let year = Number(m[1]);
  if (n.tag === TAG.UTCTime) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? '0')));
}

/** Text of a string node (UTF8, Printable, IA5, Numeric, BMP). */
export function stringOf(n: Asn1Node): string {
  if (n.tagClass === 'universal' && n.tag === TAG.BMPString) {
    let s = '';
    for (let i = 0; i + 1 < n.content.length; i += 2)
      s += String.fromCharCode((n.content[i]! << 8) | n.content[i + 1]!);
    return s;
  }
  return new TextDecoder().decode(n.content);
}

// ---------------------------------------------------------------------------------------------
// DER encoder
// ---------------------------------------------------------------------------------------------

export function concat(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function encodeLength(len: number): Uint8Array {
  if (len < 0x80) return Uint8Array.of(len);
  const bytes: number[] = [];
  for (let v = len; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** A TLV with a one-byte identifier (tag numbers below 31). */
export function tlv(identifier: number, ...content: Uint8Array[]): Uint8Array {
  const body = concat(...content);
  return concat(Uint8Array.of(identifier), encodeLength(body.length), body);
}

export const der = {
  sequence: (...items: Uint8Array[]) => tlv(0x30, ...items),
  set: (...items: Uint8Array[]) => tlv(0x31, ...items),
  /** SET OF with DER ordering (elements sorted by their encodings). */
  setOf: (...items: Uint8Array[]) => tlv(0x31, ...[...items].sort(compareBytes)),
  nullValue: () => Uint8Array.of(0x05, 0x00),
  bool: (v: boolean) => Uint8Array.of(0x01, 0x01, v ? 0xff : 0x00),
  octetString: (v: Uint8Array) => tlv(0x04, v),
  bitString: (v: Uint8Array) => tlv(0x03, Uint8Array.of(0), v),
  utf8: (s: string) => tlv(0x0c, new TextEncoder().encode(s)),
  printable: (s: string) => tlv(0x13, new TextEncoder().encode(s)),
  numeric: (s: string) => tlv(0x12, new TextEncoder().encode(s)),
  /** [n] EXPLICIT / constructed context tag. */
  explicit: (n: number, ...items: Uint8Array[]) => tlv(0xa0 | n, ...items),
  /** [n] IMPLICIT primitive context tag around raw content. */
  implicitPrimitive: (n: number, content: Uint8Array) => tlv(0x80 | n, content),
  integer(v: bigint | number): Uint8Array {
    let n = BigInt(v);
    if (n < 0n) throw new Error('DER: negative integers are not needed here');
    const bytes: number[] = [];
    do {
      bytes.unshift(Number(n & 0xffn));
      n >>= 8n;
    } while (n > 0n);
    if (bytes[0]! & 0x80) bytes.unshift(0);
    return tlv(0x02, Uint8Array.from(bytes));
  },
  oid(dotted: string): Uint8Array {
    const parts = dotted.split('.').map((p) => BigInt(p));
    if (parts.length < 2) throw new Error(`DER: bad OID ${dotted}`);
    const first = parts[0]! * 40n + parts[1]!;
    const out: number[] = [];
    for (const arc of [first, ...parts.slice(2)]) {
      const chunk: number[] = [];
      let v = arc;
      do {
        chunk.unshift(Number(v & 0x7fn));
        v >>= 7n;
      } while (v > 0n);
      for (let i = 0; i < chunk.length - 1; i++) chunk[i]! |= 0x80;
      out.push(...chunk);
    }
    return tlv(0x06, Uint8Array.from(out));
  },
  /** UTCTime for 1950..2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5). */
  time(d: Date): Uint8Array {
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
    const y = d.getUTCFullYear();
    if (y >= 1950 && y < 2050) return tlv(0x17, new TextEncoder().encode(p(y % 100) + rest));
    return tlv(0x18, new TextEncoder().encode(p(y, 4) + rest));
  },
};

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
