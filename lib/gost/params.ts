/**
 * Elliptic-curve parameter sets for GOST R 34.10-2012 with 256-bit keys (RFC 7091, RFC 4357,
 * RFC 7836 / Р 1323565.1.024-2019), their OIDs and the short names OpenSSL's gost engine takes in
 * `-pkeyopt paramset:NAME`. Several OIDs name the same curve (CryptoPro-A = XchA = TC26-B, and
 * CryptoPro-C = XchB = TC26-D); each keeps its own OID so certificates round-trip unchanged.
 * Curves are @noble/curves short-Weierstrass point types over these parameters.
 */
import { weierstrass } from '@noble/curves/abstract/weierstrass.js';
import type { WeierstrassPointCons } from '@noble/curves/abstract/weierstrass.js';

/** OIDs used by GOST keys, hashes and signatures (RFC 4357, RFC 9215). */
export const OID = {
  /** GOST R 34.10-2012 public key, 256-bit (id-tc26-gost3410-12-256). */
  gost3410_2012_256: '1.2.643.7.1.1.1.1',
  /** GOST R 34.10-2012 public key, 512-bit (recognised, not supported). */
  gost3410_2012_512: '1.2.643.7.1.1.1.2',
  /** GOST R 34.10-2001 public key (id-GostR3410-2001). */
  gost3410_2001: '1.2.643.2.2.19',
  /** GOST R 34.11-2012 256-bit hash (id-tc26-gost3411-12-256). */
  streebog256: '1.2.643.7.1.1.2.2',
  streebog512: '1.2.643.7.1.1.2.3',
  /** Signature GOST R 34.10-2012 256 with GOST R 34.11-2012 256 (id-tc26-signwithdigest-gost3410-12-256). */
  signWithStreebog256: '1.2.643.7.1.1.3.2',
} as const;

export interface GostParamSet {
  /** Canonical OID of this parameter set. */
  oid: string;
  /** Name as OpenSSL prints it (long form). */
  name: string;
  /** Short names accepted by `findParamSet` (OpenSSL gost engine `paramset:` values and others). */
  aliases: readonly string[];
  /** Whether the set is one of the TC26 ones, whose key parameters omit the digest OID. */
  tc26: boolean;
  /** The curve as a @noble/curves point constructor. */
  curve: WeierstrassPointCons<bigint>;
  /** Prime subgroup order q. */
  q: bigint;
  /** Byte length of q (32 here). */
  size: number;
}

interface CurveNumbers {
  p: string;
  a: string;
  b: string;
  q: string;
  x: string;
  y: string;
  h?: bigint;
}

const CP_A: CurveNumbers = {
  p: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97',
  a: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94',
  b: 'A6',
  q: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893',
  x: '1',
  y: '8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14',
};
const CP_B: CurveNumbers = {
  p: '8000000000000000000000000000000000000000000000000000000000000C99',
  a: '8000000000000000000000000000000000000000000000000000000000000C96',
  b: '3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B',
  q: '800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F',
  x: '1',
  y: '3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC',
};
const CP_C: CurveNumbers = {
  p: '9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B',
  a: '9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D7598',
  b: '805A',
  q: '9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9',
  x: '0',
  y: '41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67',
};
/** id-tc26-gost-3410-2012-256-paramSetA: twisted Edwards curve in Weierstrass form, cofactor 4. */
const TC26_A: CurveNumbers = {
  p: 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97',
  a: 'C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335',
  b: '295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513',
  q: '400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67',
  x: '91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28',
  y: '32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C',
  h: 4n,
};
/** id-GostR3410-2001-TestParamSet: the curve of the worked example in GOST R 34.10 / RFC 7091. */
const TEST: CurveNumbers = {
  p: '8000000000000000000000000000000000000000000000000000000000000431',
  a: '7',
  b: '5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E',
  q: '8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3',
  x: '2',
  y: '08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8',
};

const curveCache = new Map<CurveNumbers, WeierstrassPointCons<bigint>>();

function curveOf(n: CurveNumbers): WeierstrassPointCons<bigint> {
  let c = curveCache.get(n);
  if (!c) {
    const big = (h: string) => BigInt(`0x${h}`);
    c = weierstrass<bigint>({
      p: big(n.p),
      a: big(n.a),
      b: big(n.b),
      n: big(n.q),
      h: n.h ?? 1n,
      Gx: big(n.x),
      Gy: big(n.y),
    });
    curveCache.set(n, c);
  }
  return c;
}

interface Def {
  oid: string;
  name: string;
  aliases: string[];
  tc26: boolean;
  numbers: CurveNumbers;
}

const DEFS: Def[] = [
  {
    oid: '1.2.643.2.2.35.1',
    name: 'id-GostR3410-2001-CryptoPro-A-ParamSet',
    aliases: ['A', 'CryptoPro-A'],
    tc26: false,
    numbers: CP_A,
  },
  {
    oid: '1.2.643.2.2.35.2',
    name: 'id-GostR3410-2001-CryptoPro-B-ParamSet',
    aliases: ['B', 'CryptoPro-B'],
    tc26: false,
    numbers: CP_B,
  },
  {
    oid: '1.2.643.2.2.35.3',
    name: 'id-GostR3410-2001-CryptoPro-C-ParamSet',
    aliases: ['C', 'CryptoPro-C'],
    tc26: false,
    numbers: CP_C,
  },
  {
    oid: '1.2.643.2.2.36.0',
    name: 'id-GostR3410-2001-CryptoPro-XchA-ParamSet',
    aliases: ['XA', 'CryptoPro-XchA'],
    tc26: false,
    numbers: CP_A,
  },
  {
    oid: '1.2.643.2.2.36.1',
    name: 'id-GostR3410-2001-CryptoPro-XchB-ParamSet',
    aliases: ['XB', 'CryptoPro-XchB'],
    tc26: false,
    numbers: CP_C,
  },
  {
    oid: '1.2.643.7.1.2.1.1.1',
    name: 'id-tc26-gost-3410-2012-256-paramSetA',
    aliases: ['TCA', 'tc26-A'],
    tc26: true,
    numbers: TC26_A,
  },
  {
    oid: '1.2.643.7.1.2.1.1.2',
    name: 'id-tc26-gost-3410-2012-256-paramSetB',
    aliases: ['TCB', 'tc26-B'],
    tc26: true,
    numbers: CP_A,
  },
  {
    oid: '1.2.643.7.1.2.1.1.3',
    name: 'id-tc26-gost-3410-2012-256-paramSetC',
    aliases: ['TCC', 'tc26-C'],
    tc26: true,
    numbers: CP_B,
  },
  {
    oid: '1.2.643.7.1.2.1.1.4',
    name: 'id-tc26-gost-3410-2012-256-paramSetD',
    aliases: ['TCD', 'tc26-D'],
    tc26: true,
    numbers: CP_C,
  },
  {
    oid: '1.2.643.2.2.35.0',
    name: 'id-GostR3410-2001-TestParamSet',
    aliases: ['test', 'TestParamSet'],
    tc26: false,
    numbers: TEST,
  },
];

const SETS = new Map<string, GostParamSet>();

function materialise(d: Def): GostParamSet {
  let set = SETS.get(d.oid);
  if (!set) {
    const curve = curveOf(d.numbers);
    set = { oid: d.oid, name: d.name, aliases: d.aliases, tc26: d.tc26, curve, q: curve.Fn.ORDER, size: 32 };
    SETS.set(d.oid, set);
  }
  return set;
}

/** All supported 256-bit parameter sets (OIDs), in a stable order. */
export const PARAM_SET_OIDS: readonly string[] = DEFS.map((d) => d.oid);

/** Look a parameter set up by OID, OpenSSL long name, or short alias (case-insensitive for aliases). */
export function findParamSet(idOrName: string): GostParamSet | undefined {
  const key = idOrName.trim();
  const d = DEFS.find(
    (x) => x.oid === key || x.name === key || x.aliases.some((a) => a.toLowerCase() === key.toLowerCase()),
  );
  return d ? materialise(d) : undefined;
}

export function getParamSet(idOrName: string): GostParamSet {
  const set = findParamSet(idOrName);
  if (!set) throw new Error(`unsupported GOST R 34.10-2012 256-bit parameter set: ${idOrName}`);
  return set;
}

/** The default for new keys: CryptoPro-A, what `openssl genpkey -algorithm gost2012_256 -pkeyopt paramset:A` makes. */
export const DEFAULT_PARAM_SET = '1.2.643.2.2.35.1';
