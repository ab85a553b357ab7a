/*
 * Signs and checks cookie signatures for Koa's `cookies` (the Keygrip interface: sign, verify,
 * index) with the same HMAC-SHA1 base64url signatures as Keygrip, so existing cookies stay valid.
 * Why not Keygrip: `cookies` builds a new Keygrip for every request, and each check costs three
 * HMACs (tsscmp compares by hashing both sides again). A sign-in presents the same few cookie values
 * on each of its requests, so signatures of the first key are remembered; a profile under load had
 * Keygrip at 10% of the main thread.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Remembered signatures; the map is emptied when full (cheaper than an LRU, and rarely hit). */
const memoLimit = 20_000;

export class CookieSigner {
  readonly #keys: string[];
  readonly #memo = new Map<string, string>();

  constructor(keys: string[]) {
    if (keys.length === 0) throw new Error('CookieSigner: at least one key is required');
    this.#keys = [...keys];
  }

  sign(data: string): string {
    let signature = this.#memo.get(data);
    if (signature === undefined) {
      signature = hmac(this.#keys[0]!, data);
      if (this.#memo.size >= memoLimit) this.#memo.clear();
      this.#memo.set(data, signature);
    }
    return signature;
  }

  verify(data: string, digest: string): boolean {
    return this.index(data, digest) > -1;
  }

  /** Which key made this signature, or -1. */
  index(data: string, digest: string): number {
    for (let i = 0; i < this.#keys.length; i++) {
      if (same(digest, i === 0 ? this.sign(data) : hmac(this.#keys[i]!, data))) return i;
    }
    return -1;
  }
}

function hmac(key: string, data: string): string {
  return createHmac('sha1', key).update(data).digest('base64url');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
