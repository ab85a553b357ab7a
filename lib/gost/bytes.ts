/**
 * Byte helpers shared by the GOST code: hex, lenient base64/base64url (ESIA clients send either,
 * padded or not), PEM armour, big/little-endian integer conversion.
 */

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, '');
  if (clean.length % 2 || /[^0-9a-fA-F]/.test(clean)) throw new Error('invalid hex');
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

/** Decode standard base64 or base64url, with or without `=` padding. Throws on other characters. */
export function decodeBase64Loose(text: string): Uint8Array {
  const s = text.replace(/\s+/g, '').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/_-]*$/.test(s)) throw new Error('invalid base64');
  if (s.length % 4 === 1) throw new Error('invalid base64 length');
  return new Uint8Array(Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
}

export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function reversed(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes).reverse();
}

export function bytesToBigIntBE(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function bytesToBigIntLE(bytes: Uint8Array): bigint {
  return bytesToBigIntBE(reversed(bytes));
}

export function bigIntToBytesBE(v: bigint, length: number): Uint8Array {
  if (v < 0n || v >= 1n << BigInt(length * 8)) throw new Error('integer does not fit');
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function bigIntToBytesLE(v: bigint, length: number): Uint8Array {
  return bigIntToBytesBE(v, length).reverse();
}

/** PEM armour with 64-character lines. */
export function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * DER bytes from PEM text (first block, or the block with `label`), from a Buffer/Uint8Array
 * holding PEM text, or DER bytes passed through unchanged.
 */
export function pemOrDer(input: string | Uint8Array, label?: string): Uint8Array {
  let text: string | undefined;
  if (typeof input === 'string') text = input;
  else if (input.length > 10 && looksLikePem(input)) text = new TextDecoder().decode(input);
  if (text === undefined) return input as Uint8Array;
  const re = label
    ? new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`)
    : /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;
  const m = re.exec(text);
  if (!m) throw new Error(label ? `no PEM block "${label}" found` : 'no PEM block found');
  const body = label ? m[1]! : m[2]!;
  return new Uint8Array(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
}

function looksLikePem(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, Math.min(bytes.length, 200)));
  return head.includes('-----BEGIN ');
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
