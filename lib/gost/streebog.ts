/**
 * GOST R 34.11-2012 "Streebog" hash (RFC 6986), 256- and 512-bit, in pure TypeScript.
 *
 * Byte order is the one OpenSSL's gost engine (`openssl dgst -md_gost12_256`) and CryptoPro print:
 * the message is the byte string as given and the digest bytes come out in the same order as the
 * engine's hex. Internally the 512-bit state is eight little-endian 64-bit words, each kept as two
 * uint32 halves (lo, hi); the S, P and L steps are merged into eight 256-entry lookup tables
 * (the usual "LPS table" technique), built once from the constants in streebog_constants.ts.
 *
 * Checked by the M1/M2 examples of the standard and against OpenSSL on random inputs
 * (test/gost.test.ts).
 */
import { A_HEX, C_HEX, PI_HEX } from './streebog_constants.ts';

const BLOCK = 64;

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** LPS lookup tables: entry (k * 256 + v) is the 64-bit word that byte v at row k contributes. */
const T_LO = new Uint32Array(8 * 256);
const T_HI = new Uint32Array(8 * 256);
/** Iteration constants C_1..C_12 as 16 uint32 limbs (little-endian words, lo then hi). */
const C_WORDS: Uint32Array[] = [];

(function buildTables() {
  const pi = hexToBytes(PI_HEX);
  const aHi = new Uint32Array(64);
  const aLo = new Uint32Array(64);
  A_HEX.forEach((h, i) => {
    aHi[i] = parseInt(h.slice(0, 8), 16) >>> 0;
    aLo[i] = parseInt(h.slice(8, 16), 16) >>> 0;
  });
  for (let k = 0; k < 8; k++) {
    for (let v = 0; v < 256; v++) {
      const s = pi[v]!;
      let lo = 0;
      let hi = 0;
      for (let t = 0; t < 8; t++) {
        if ((s >>> t) & 1) {
          // Bit (8k + t) of the 64-bit word selects row A_{63 - (8k + t)}.
          const row = 63 - (8 * k + t);
          lo ^= aLo[row]!;
          hi ^= aHi[row]!;
        }
      }
      T_LO[k * 256 + v] = lo >>> 0;
      T_HI[k * 256 + v] = hi >>> 0;
    }
  }
  for (const c of C_HEX) {
    const le = hexToBytes(c).reverse();
    C_WORDS.push(bytesToLimbs(le, 0));
  }
})();

function bytesToLimbs(bytes: Uint8Array, offset: number): Uint32Array {
  const out = new Uint32Array(16);
  for (let i = 0; i < 16; i++) {
    const o = offset + i * 4;
    out[i] = (bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24)) >>> 0;
  }
  return out;
}

function limbsToBytes(limbs: Uint32Array): Uint8Array {
  const out = new Uint8Array(64);
  for (let i = 0; i < 16; i++) {
    const v = limbs[i]!;
    out[i * 4] = v & 0xff;
    out[i * 4 + 1] = (v >>> 8) & 0xff;
    out[i * 4 + 2] = (v >>> 16) & 0xff;
    out[i * 4 + 3] = (v >>> 24) & 0xff;
  }
  return out;
}

/** out = LPS(a XOR b). `out` must not alias `a` or `b`. */
function xlps(a: Uint32Array, b: Uint32Array, out: Uint32Array): void {
  const r = XLPS_TMP;
  for (let i = 0; i < 16; i++) r[i] = a[i]! ^ b[i]!;
  for (let i = 0; i < 8; i++) {
    // Byte i of each input word k; bytes 0..3 live in the lo limb, 4..7 in the hi limb.
    const limb = i < 4 ? 0 : 1;
    const shift = (i & 3) * 8;
    let lo = 0;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      const idx = k * 256 + ((r[k * 2 + limb]! >>> shift) & 0xff);
      lo ^= T_LO[idx]!;
      hi ^= T_HI[idx]!;
    }
    out[i * 2] = lo;
    out[i * 2 + 1] = hi;
  }
}
const XLPS_TMP = new Uint32Array(16);

/** Compression g_N(h, m) = E(LPS(h ^ N), m) ^ h ^ m; writes the result into h. */
function compress(h: Uint32Array, n: Uint32Array, m: Uint32Array): void {
  let k = new Uint32Array(16);
  let kNext = new Uint32Array(16);
  let state = new Uint32Array(16);
  let stateNext = new Uint32Array(16);
  xlps(h, n, k);
  state.set(m);
  for (let i = 0; i < 12; i++) {
    xlps(state, k, stateNext);
    [state, stateNext] = [stateNext, state];
    xlps(k, C_WORDS[i]!, kNext);
    [k, kNext] = [kNext, k];
  }
  for (let i = 0; i < 16; i++) h[i] = (h[i]! ^ state[i]! ^ k[i]! ^ m[i]!) >>> 0;
}

/** a = (a + b) mod 2^512 over 16 little-endian uint32 limbs. */
function add512(a: Uint32Array, b: Uint32Array): void {
  let carry = 0;
  for (let i = 0; i < 16; i++) {
    const sum = a[i]! + b[i]! + carry;
    a[i] = sum >>> 0;
    carry = sum > 0xffffffff ? 1 : 0;
  }
}

/** a = (a + bits) mod 2^512, bits < 2^32. */
function addSmall(a: Uint32Array, bits: number): void {
  let carry = bits;
  for (let i = 0; i < 16 && carry; i++) {
    const sum = a[i]! + carry;
    a[i] = sum >>> 0;
    carry = sum > 0xffffffff ? 1 : 0;
  }
}

const ZERO = new Uint32Array(16);

/** Incremental Streebog hasher (`update` any number of times, then `digest` once). */
export class Streebog {
  readonly outputLen: 32 | 64;
  private readonly h = new Uint32Array(16);
  private readonly n = new Uint32Array(16);
  private readonly sigma = new Uint32Array(16);
  private readonly buf = new Uint8Array(BLOCK);
  private bufLen = 0;
  private finished = false;

  constructor(outputBits: 256 | 512) {
    this.outputLen = outputBits === 256 ? 32 : 64;
    // IV: all-zero for 512, every byte 0x01 for 256.
    if (outputBits === 256) this.h.fill(0x01010101);
  }

  update(data: Uint8Array): this {
    if (this.finished) throw new Error('Streebog: update after digest');
    let pos = 0;
    if (this.bufLen > 0) {
      const take = Math.min(BLOCK - this.bufLen, data.length);
      this.buf.set(data.subarray(0, take), this.bufLen);
      this.bufLen += take;
      pos = take;
      // A complete block is processed at once: a message whose length is a multiple of 64
      // still ends with a padded empty block in stage 3, so nothing needs to be held back.
      if (this.bufLen === BLOCK) {
        this.processBlock(bytesToLimbs(this.buf, 0));
        this.bufLen = 0;
      }
    }
    while (data.length - pos >= BLOCK) {
      this.processBlock(bytesToLimbs(data, pos));
      pos += BLOCK;
    }
    if (pos < data.length) {
      this.buf.set(data.subarray(pos), 0);
      this.bufLen = data.length - pos;
    }
    return this;
  }

  digest(): Uint8Array {
    if (this.finished) throw new Error('Streebog: digest called twice');
    this.finished = true;
    // Stage 3: pad the remainder (0..63 bytes) with 0x01 then zeros.
    const last = new Uint8Array(BLOCK);
    last.set(this.buf.subarray(0, this.bufLen));
    last[this.bufLen] = 0x01;
    const m = bytesToLimbs(last, 0);
    compress(this.h, this.n, m);
    addSmall(this.n, this.bufLen * 8);
    add512(this.sigma, m);
    compress(this.h, ZERO, this.n);
    compress(this.h, ZERO, this.sigma);
    const full = limbsToBytes(this.h);
    return this.outputLen === 64 ? full : full.slice(32);
  }

  private processBlock(m: Uint32Array): void {
    compress(this.h, this.n, m);
    addSmall(this.n, 512);
    add512(this.sigma, m);
  }
}

/** GOST R 34.11-2012 with a 256-bit result (OpenSSL `md_gost12_256`, OID 1.2.643.7.1.1.2.2). */
export function streebog256(data: Uint8Array): Uint8Array {
  return new Streebog(256).update(data).digest();
}

/** GOST R 34.11-2012 with a 512-bit result (OpenSSL `md_gost12_512`, OID 1.2.643.7.1.1.2.3). */
export function streebog512(data: Uint8Array): Uint8Array {
  return new Streebog(512).update(data).digest();
}
