/*
 * The relying party's back-channel over HTTPS (C6/F2): a fetch that trusts a given CA (the
 * stand's test root) instead of the system store, speaks TLS 1.3 only, and — when asked — requires
 * the server to staple an OCSP answer for its certificate and refuses a revoked one (like
 * «OCSP must-staple»: the emulator staples one on every handshake). Each request opens its own
 * connection, so a certificate switched on the emulator is seen on the very next call.
 *
 * tlsFailure(error) turns the TLS error of such a call (CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID,
 * CERT_REVOKED, UNABLE_TO_VERIFY_LEAF_SIGNATURE…) into the RP's own error page, with the exact code
 * shown to support.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { parseOcspResponse } from '../lib/pki/revocation.ts';
import { CodedError } from '../lib/errors.ts';
import { RpError, type RpErrorCode } from './errors.ts';

export interface BackChannelTrust {
  /** PEM of the CA(s) to trust for https: URLs (the stand's keys/local/pki/ca/root.crt). */
  ca: string;
  /** Refuse a server certificate without a stapled OCSP answer, or with one that says revoked. */
  requireOcsp?: boolean;
  /**
   * Test harness only (the stand's control client on loopback): accept any server certificate, so
   * a TLS fault armed on the emulator never locks the harness out of its own control API.
   */
  skipVerification?: boolean;
}

/** A failed OCSP check, coded like Node's own TLS errors (CERT_REVOKED, OCSP_STAPLE_MISSING…), so tlsFailure() reads both alike. */
const tlsCheckError = (code: string, message: string) => new CodedError(code, message, { status: 502 });

/** The slice of fetch the back-channel uses (what openid-client's customFetch and the ESIA client pass). */
export interface BackChannelInit {
  method?: string;
  headers?: HeadersInit;
  body?: unknown;
  signal?: AbortSignal | null;
  redirect?: string;
}
export type BackChannelFetch = (input: string | URL | Request, init?: BackChannelInit) => Promise<Response>;

function headersOf(init: BackChannelInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init?.headers).forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

function bodyOf(body: unknown): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(new Uint8Array(body));
  throw new TypeError(`back-channel fetch: unsupported body type ${Object.prototype.toString.call(body)}`);
}

/** Checks the OCSP answer the server stapled for its own certificate; throws a CodedError. */
function checkStapledOcsp(socket: TLSSocket, stapled: Buffer | undefined): void {
  const peer = socket.getPeerCertificate(true);
  const issuer = peer.issuerCertificate;
  if (!stapled?.length)
    throw tlsCheckError(
      'OCSP_STAPLE_MISSING',
      `the server at ${socket.servername ?? socket.remoteAddress} stapled no OCSP answer for its certificate ${peer.serialNumber}`,
    );
  if (!issuer?.raw)
    throw tlsCheckError('OCSP_ISSUER_MISSING', 'the server sent no issuer certificate to check its OCSP answer with');
  const issuerPem = `-----BEGIN CERTIFICATE-----\n${issuer.raw.toString('base64')}\n-----END CERTIFICATE-----\n`;
  const answer = parseOcspResponse(new Uint8Array(stapled), issuerPem);
  const entry = answer.certificates.find(
    (c) => c.serial === peer.serialNumber.toUpperCase().replace(/^(00)+(?=.)/, ''),
  );
  if (answer.status !== 0 || !answer.signatureValid || !entry) {
    throw tlsCheckError(
      'OCSP_RESPONSE_INVALID',
      `stapled OCSP answer unusable (status ${answer.status}, signature ${answer.signatureValid ? 'valid' : 'invalid'}, ${entry ? 'names' : 'does not name'} certificate ${peer.serialNumber})`,
    );
  }
  if (entry.status === 'revoked') {
    throw tlsCheckError(
      'CERT_REVOKED',
      `the server certificate ${peer.serialNumber} is revoked since ${entry.revokedAt?.toISOString()} (reason ${String(entry.reason)}), says the stapled OCSP answer of its CA`,
    );
  }
  if (entry.status !== 'good')
    throw tlsCheckError(
      'CERT_STATUS_UNKNOWN',
      `the CA does not know the server certificate ${peer.serialNumber} (OCSP status ${entry.status})`,
    );
}

/** A fetch for the back-channel that trusts `trust.ca`; plain http: URLs go through unchanged. */
export function backChannelFetch(trust: BackChannelTrust): BackChannelFetch {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      const body = bodyOf(init?.body);
      const headers = headersOf(init);
      if (body) headers['content-length'] = String(body.length);
      const secure = url.protocol === 'https:';
      const options = { method, headers, agent: false as const };
      const req = secure
        ? httpsRequest(url, {
            ...options,
            ca: trust.ca,
            minVersion: 'TLSv1.3',
            rejectUnauthorized: trust.skipVerification !== true,
            ...{ requestOCSP: trust.requireOcsp === true },
          }) // requestOCSP goes through to tls.connect
        : httpRequest(url, options);
      if (secure && trust.requireOcsp) {
        req.on('socket', (socket) => {
          const tls = socket as TLSSocket;
          let stapled: Buffer | undefined;
          tls.on('OCSPResponse', (response: Buffer) => {
            stapled = response;
          });
          tls.once('secureConnect', () => {
            try {
              checkStapledOcsp(tls, stapled);
            } catch (error) {
              req.destroy(error as Error);
            }
          });
        });
      }
      const signal = init?.signal;
      if (signal) {
        if (signal.aborted) return reject(signal.reason);
        signal.addEventListener('abort', () => req.destroy(signal.reason as Error), { once: true });
      }
      req.on('error', reject);
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 502;
          const responseHeaders = new Headers();
          for (const [key, value] of Object.entries(res.headers)) {
            if (Array.isArray(value)) for (const v of value) responseHeaders.append(key, v);
            else if (value !== undefined) responseHeaders.set(key, value);
          }
          const nullBody = [101, 204, 205, 304].includes(status) || method === 'HEAD';
          const response = new Response(nullBody ? null : Buffer.concat(chunks), {
            status,
            statusText: res.statusMessage ?? '',
            headers: responseHeaders,
          });
          Object.defineProperty(response, 'url', { value: url.href });
          resolve(response);
        });
      });
      req.end(body);
    });
}

/** TLS error codes of Node and of the OCSP check above, by the RP error page that explains them. */
const tlsCodes: Record<string, RpErrorCode> = {
  CERT_HAS_EXPIRED: 'rp.idp_certificate_expired',
  CERT_NOT_YET_VALID: 'rp.idp_certificate_expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'rp.idp_certificate_wrong_host',
  CERT_REVOKED: 'rp.idp_certificate_revoked',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'rp.idp_certificate_untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'rp.idp_certificate_untrusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'rp.idp_certificate_untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'rp.idp_certificate_untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'rp.idp_certificate_untrusted',
  CERT_SIGNATURE_FAILURE: 'rp.idp_certificate_untrusted',
  OCSP_STAPLE_MISSING: 'rp.idp_certificate_untrusted',
  OCSP_ISSUER_MISSING: 'rp.idp_certificate_untrusted',
  OCSP_RESPONSE_INVALID: 'rp.idp_certificate_untrusted',
  CERT_STATUS_UNKNOWN: 'rp.idp_certificate_untrusted',
};

/** The RP error for a back-channel call that failed on the emulator's TLS certificate, or undefined. */
export function tlsFailure(error: unknown, what: string): RpError | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && tlsCodes[code]) {
      return new RpError(
        tlsCodes[code],
        [{ label: 'Ошибка проверки сертификата', value: code, testid: 'tls-error' }],
        `${what}: TLS ${code}: ${e.message}`,
        { cause: error },
      );
    }
  }
  return undefined;
}
