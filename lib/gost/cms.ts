/**
 * CMS / PKCS#7 SignedData for ESIA's legacy `client_secret` (`/aas/oauth2/ac`, `/aas/oauth2/te`).
 *
 * verifyCmsSignedData: detached (external content) or attached (eContent), with or without signed
 * attributes. GOST R 34.10-2012 (256) + Streebog-256 signers are checked here; with signed
 * attributes, messageDigest must equal Streebog-256(content) and the signature covers the DER SET of
 * attributes, otherwise it covers the content itself. Other algorithms (RSA, ECDSA) are handed to
 * pkijs. The signer certificate comes from the CMS `certificates` or from `options.certificates`.
 * Never throws on bad input: the result says `valid: false` and why.
 *
 * signGostCms: the same structures `openssl smime -engine gost -sign -binary -outform DER`
 * produces (`-noattr` => no signed attributes; `-nodetach` => attached).
 */
import * as pkijs from 'pkijs';
import { bytesEqual, decodeBase64Loose, pemOrDer, toHex } from './bytes.ts';
import { der, expectUniversal, integerOf, isContext, isUniversal, oidOf, parseAsn1, TAG, timeOf } from './asn1.ts';
import type { Asn1Node } from './asn1.ts';
import { parseCertificate } from './certificate.ts';
import type { ParsedCertificate } from './certificate.ts';
import { gostSignDigest, gostVerifyAnyLayout } from './gost3410.ts';
import type { GostPrivateKey, SignatureLayout } from './gost3410.ts';
import { OID } from './params.ts';
import { streebog256 } from './streebog.ts';

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_DATA = '1.2.840.113549.1.7.1';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';

export interface CmsVerifyOptions {
  /** External content for a detached signature; for attached ones, if given, it must match eContent. */
  content?: Uint8Array;
  /** Certificates to look the signer up in when the CMS does not carry it (PEM or DER). */
  certificates?: ReadonlyArray<string | Uint8Array>;
}

export interface CmsVerifyResult {
  valid: boolean;
  /** Why verification failed (absent when valid). */
  reason?: string;
  /** 'gost2012-256' (checked here) or 'pkijs' (RSA/ECDSA, checked by pkijs). */
  engine?: 'gost2012-256' | 'pkijs';
  /** Digest algorithm OID of the signer. */
  digestAlgorithm?: string;
  /** Signature algorithm OID of the signer as written in SignerInfo. */
  signatureAlgorithm?: string;
  /** Whether the CMS carried the content (eContent). */
  attached?: boolean;
  /** Whether SignerInfo had signed attributes. */
  signedAttributes?: boolean;
  /** signingTime attribute, when present. */
  signingTime?: Date;
  /** The signed content (eContent or the external content). */
  content?: Uint8Array;
  /** Signer certificate (parsed; `.der` is the DER). */
  signerCertificate?: ParsedCertificate;
  /** GOST signature layout that verified ('openssl' = s ‖ r big-endian, as OpenSSL and CryptoPro CMS use). */
  signatureLayout?: SignatureLayout;
}

function fail(reason: string, extra: Partial<CmsVerifyResult> = {}): CmsVerifyResult {
  return { valid: false, reason, ...extra };
}

/** Accept DER bytes, PEM ("PKCS7"/"CMS"), or base64/base64url text (as ESIA clients send). */
function toDer(input: string | Uint8Array): Uint8Array {
  if (typeof input === 'string') {
    if (input.includes('-----BEGIN')) return pemOrDer(input);
    return decodeBase64Loose(input);
  }
  return pemOrDer(input);
}

interface SignerInfoParts {
  sid: { issuer: Uint8Array; serial: bigint } | { ski: string };
  digestAlgorithm: string;
  signedAttrs?: Asn1Node;
  signatureAlgorithm: string;
  signature: Uint8Array;
}

function readSignerInfo(si: Asn1Node): SignerInfoParts {
  expectUniversal(si, TAG.SEQUENCE, 'SignerInfo');
  const [, sidNode, digAlg, ...rest] = si.children;
  let sid: SignerInfoParts['sid'];
  if (sidNode && isUniversal(sidNode, TAG.SEQUENCE)) {
    sid = { issuer: sidNode.children[0]!.raw, serial: integerOf(sidNode.children[1]) };
  } else if (sidNode && isContext(sidNode, 0)) {
    sid = { ski: toHex(sidNode.content) };
  } else throw new Error('SignerInfo: bad sid');
  let k = 0;
  let signedAttrs: Asn1Node | undefined;
  if (rest[0] && isContext(rest[0], 0)) {
    signedAttrs = rest[0];
    k = 1;
  }
  const sigAlg = expectUniversal(rest[k], TAG.SEQUENCE, 'signatureAlgorithm');
  const signature = expectUniversal(rest[k + 1], TAG.OCTET_STRING, 'signature').content;
  return {
    sid,
    digestAlgorithm: oidOf(expectUniversal(digAlg, TAG.SEQUENCE, 'digestAlgorithm').children[0]),
    ...(signedAttrs ? { signedAttrs } : {}),
    signatureAlgorithm: oidOf(sigAlg.children[0]),
    signature,
  };
}

function findSigner(sid: SignerInfoParts['sid'], candidates: ParsedCertificate[]): ParsedCertificate | undefined {
  return candidates.find((c) => {
    if ('ski' in sid) return c.subjectKeyIdentifier === sid.ski;
    return bytesEqual(c.issuerDer, sid.issuer) && BigInt(`0x${c.serialNumber}`) === sid.serial;
  });
}

const GOST_SIGNATURE_OIDS: ReadonlySet<string> = new Set([OID.gost3410_2012_256, OID.signWithStreebog256]);

/** Verify a CMS SignedData (first signer). See the module comment. */
export async function verifyCmsSignedData(
  input: string | Uint8Array,
  options: CmsVerifyOptions = {},
): Promise<CmsVerifyResult> {
  let cmsDer: Uint8Array;
  let signedData: Asn1Node;
  try {
    cmsDer = toDer(input);
    const ci = expectUniversal(parseAsn1(cmsDer), TAG.SEQUENCE, 'ContentInfo');
    if (oidOf(ci.children[0]) !== OID_SIGNED_DATA) return fail('not a SignedData');
    const wrapper = ci.children[1];
    if (!wrapper || !isContext(wrapper, 0)) return fail('SignedData content missing');
    signedData = expectUniversal(wrapper.children[0], TAG.SEQUENCE, 'SignedData');
  } catch (e) {
    return fail(`malformed CMS: ${(e as Error).message}`);
  }

  let attached = false;
  let content: Uint8Array | undefined;
  let eContentType: string;
  let signerInfo: SignerInfoParts;
  const candidates: ParsedCertificate[] = [];
  try {
    const [, , encap, ...rest] = signedData.children;
    expectUniversal(encap, TAG.SEQUENCE, 'EncapsulatedContentInfo');
    eContentType = oidOf(encap!.children[0]);
    const eContent = encap!.children[1];
    if (eContent && isContext(eContent, 0)) {
      attached = true;
      content = expectUniversal(eContent.children[0], TAG.OCTET_STRING, 'eContent').content;
    }
    for (const node of rest) {
      if (isContext(node, 0)) {
        for (const c of node.children) {
          // Only X.509 certificates (SEQUENCE); attribute certificates etc. are skipped.
          if (isUniversal(c, TAG.SEQUENCE)) {
            try {
              candidates.push(parseCertificate(c.raw));
            } catch {
              // an unreadable certificate cannot be the signer we can check
            }
          }
        }
      }
    }
    for (const extra of options.certificates ?? []) candidates.push(parseCertificate(extra));
    const infos = rest[rest.length - 1];
    if (!infos || !isUniversal(infos, TAG.SET) || infos.children.length === 0) return fail('no SignerInfo');
    signerInfo = readSignerInfo(infos.children[0]!);
  } catch (e) {
    return fail(`malformed SignedData: ${(e as Error).message}`);
  }

  if (options.content) {
    if (attached && content && !bytesEqual(content, options.content))
      return fail('encapsulated content differs from the expected content', { attached });
    content ??= options.content;
  }
  if (!content) return fail('detached signature and no content to check it against', { attached });

  let signingTime: Date | undefined;
  try {
    for (const attr of signerInfo.signedAttrs?.children ?? []) {
      const value = attr.children[1]?.children[0];
      if (value && oidOf(attr.children[0]) === OID_SIGNING_TIME) signingTime = timeOf(value);
    }
  } catch (e) {
    return fail(`malformed signed attributes: ${(e as Error).message}`, { attached });
  }

  const isGost =
    GOST_SIGNATURE_OIDS.has(signerInfo.signatureAlgorithm) || signerInfo.digestAlgorithm === OID.streebog256;
  if (!isGost) return verifyWithPkijs(cmsDer, content, attached, signerInfo, candidates, signingTime);

  const base: Partial<CmsVerifyResult> = {
    engine: 'gost2012-256',
    digestAlgorithm: signerInfo.digestAlgorithm,
    signatureAlgorithm: signerInfo.signatureAlgorithm,
    attached,
    signedAttributes: Boolean(signerInfo.signedAttrs),
    content,
    ...(signingTime ? { signingTime } : {}),
  };
  if (signerInfo.digestAlgorithm !== OID.streebog256)
    return fail(`unsupported digest ${signerInfo.digestAlgorithm} for a GOST signer`, base);
  const signer = findSigner(signerInfo.sid, candidates);
  if (!signer) return fail('signer certificate not found', base);
  base.signerCertificate = signer;
  if (!signer.gostPublicKey)
    return fail(`signer key is not GOST R 34.10-2012 256 (${signer.publicKeyAlgorithm})`, base);

  const contentDigest = streebog256(content);
  let signedBytes: Uint8Array;
  if (signerInfo.signedAttrs) {
    let messageDigest: Uint8Array | undefined;
    try {
      for (const attr of signerInfo.signedAttrs.children) {
        const type = oidOf(attr.children[0]);
        const value = attr.children[1]?.children[0];
        if (!value) continue;
        if (type === OID_MESSAGE_DIGEST)
          messageDigest = expectUniversal(value, TAG.OCTET_STRING, 'messageDigest').content;
        else if (type === OID_CONTENT_TYPE && oidOf(value) !== eContentType)
          return fail('contentType attribute differs from eContentType', base);
      }
    } catch (e) {
      return fail(`malformed signed attributes: ${(e as Error).message}`, base);
    }
    if (!messageDigest) return fail('signed attributes without messageDigest', base);
    if (!bytesEqual(messageDigest, contentDigest)) return fail('messageDigest does not match the content', base);
    // The signature covers the DER of the attributes with the SET OF tag instead of [0] IMPLICIT.
    signedBytes = Uint8Array.from(signerInfo.signedAttrs.raw);
    signedBytes[0] = 0x31;
  } else {
    signedBytes = content;
  }
  const check = gostVerifyAnyLayout(signer.gostPublicKey, signedBytes, signerInfo.signature);
  if (!check.valid) return fail('signature does not verify', base);
  return { ...base, valid: true, signatureLayout: check.layout! } as CmsVerifyResult;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return copy;
}

async function verifyWithPkijs(
  cmsDer: Uint8Array,
  content: Uint8Array,
  attached: boolean,
  si: SignerInfoParts,
  candidates: ParsedCertificate[],
  signingTime: Date | undefined,
): Promise<CmsVerifyResult> {
  const base: Partial<CmsVerifyResult> = {
    engine: 'pkijs',
    digestAlgorithm: si.digestAlgorithm,
    signatureAlgorithm: si.signatureAlgorithm,
    attached,
    signedAttributes: Boolean(si.signedAttrs),
    content,
    ...(signingTime ? { signingTime } : {}),
  };
  const signer = findSigner(si.sid, candidates);
  if (signer) base.signerCertificate = signer;
  try {
    const ci = pkijs.ContentInfo.fromBER(toArrayBuffer(cmsDer));
    const sd = new pkijs.SignedData({ schema: ci.content });
    if (signer && !(sd.certificates ?? []).length) {
      sd.certificates = [pkijs.Certificate.fromBER(toArrayBuffer(signer.der))];
    }
    const res = await sd.verify({
      signer: 0,
      data: toArrayBuffer(content),
      extendedMode: true,
      checkChain: false,
    });
    if (!base.signerCertificate && res.signerCertificate) {
      base.signerCertificate = parseCertificate(new Uint8Array(res.signerCertificate.toSchema().toBER(false)));
    }
    if (!res.signatureVerified) return fail(res.message || 'signature does not verify', base);
    return { ...base, valid: true } as CmsVerifyResult;
  } catch (e) {
    const err = e as { message?: string; signerCertificate?: pkijs.Certificate | null };
    return fail(err.message || 'pkijs verification failed', base);
  }
}

export interface GostCmsSignOptions {
  content: Uint8Array;
  /** Signer certificate (PEM or DER); it is embedded in `certificates`. */
  certificate: string | Uint8Array;
  privateKey: GostPrivateKey;
  /** Default true (detached, as most ESIA clients send). */
  detached?: boolean;
  /** Add contentType, signingTime and messageDigest (default false, like `-noattr`). */
  signedAttributes?: boolean;
  signingTime?: Date;
}

/** Build a GOST 2012-256 CMS SignedData (DER), as `openssl smime -engine gost -sign -binary` does. */
export function signGostCms(options: GostCmsSignOptions): Uint8Array {
  const cert = parseCertificate(options.certificate);
  if (!cert.gostPublicKey) throw new Error('signer certificate does not carry a GOST 2012-256 key');
  if (cert.gostPublicKey.paramSet !== options.privateKey.paramSet)
    throw new Error('private key and certificate use different parameter sets');
  const digestAlg = der.sequence(der.oid(OID.streebog256));
  const digest = streebog256(options.content);
  let signedAttrsDer: Uint8Array | undefined;
  let toSign = digest;
  if (options.signedAttributes) {
    const attrs = [
      der.sequence(der.oid(OID_CONTENT_TYPE), der.set(der.oid(OID_DATA))),
      der.sequence(der.oid(OID_SIGNING_TIME), der.set(der.time(options.signingTime ?? new Date()))),
      der.sequence(der.oid(OID_MESSAGE_DIGEST), der.set(der.octetString(digest))),
    ];
    const setDer = der.setOf(...attrs);
    toSign = streebog256(setDer);
    signedAttrsDer = Uint8Array.from(setDer);
    signedAttrsDer[0] = 0xa0;
  }
  const signature = gostSignDigest(options.privateKey, toSign);
  const tbsNode = parseAsn1(cert.der).children[0]!;
  const serialNode = tbsNode.children[isContext(tbsNode.children[0]!, 0) ? 1 : 0]!;
  const signerInfo = der.sequence(
    der.integer(1),
    der.sequence(cert.issuerDer, serialNode.raw),
    digestAlg,
    ...(signedAttrsDer ? [signedAttrsDer] : []),
    der.sequence(der.oid(OID.gost3410_2012_256)),
    der.octetString(signature),
  );
  const encap =
    options.detached === false
      ? der.sequence(der.oid(OID_DATA), der.explicit(0, der.octetString(options.content)))
      : der.sequence(der.oid(OID_DATA));
  const signedData = der.sequence(
    der.integer(1),
    der.set(digestAlg),
    encap,
    der.explicit(0, cert.der),
    der.set(signerInfo),
  );
  return der.sequence(der.oid(OID_SIGNED_DATA), der.explicit(0, signedData));
}
