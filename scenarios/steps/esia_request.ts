/* The fields the two protocol steps of the ESIA face share: which system signs what, and how it spoils it. */
import { z } from 'zod';
import type { Expectation } from './expectation.ts';

/** Ways a protocol step spoils its own request, one fault each (tests of the emulator's refusals). */
export const esiaTampers = [
  'signature-byte',
  'message-after-signing',
  'certificate-hash-byte',
  'pem-hash',
  'v1-order',
  'repeat-scope',
  'foreign-certificate',
  'cryptopro-layout',
] as const;

export const esiaRequestFields = {
  version: z
    .enum(['v1', 'v2'], { error: 'expected v1 or v2' })
    .optional()
    .describe('v2 = /v2/ac + /v3/te (raw GOST, default); v1 = /ac + /te (PKCS#7).'),
  system: z.string().optional().describe('Mnemonic of a test system of the stand (default PROTO01).'),
  signer: z
    .enum(['cms-gost', 'cms-rsa'], { error: 'expected cms-gost or cms-rsa' })
    .optional()
    .describe('v1 signature: cms-gost (default) or cms-rsa.'),
  scope: z.string().optional(),
  redirect: z.string().optional().describe('"cb" (default) or another path on the test system, or a full URL.'),
  timestampOffsetSeconds: z.number().optional().describe("Seconds added to the request's timestamp."),
  extra: z
    .record(z.string(), z.string())
    .optional()
    .describe('Signed extra parameters, e.g. {"person_filter": "Y29uZl9hY2M="}.'),
  params: z.record(z.string(), z.string()).optional().describe('Parameters replaced after signing; "" removes one.'),
  tamper: z.enum(esiaTampers, { error: `expected one of ${esiaTampers.join(', ')}` }).optional(),
};

const request = z.object(esiaRequestFields);
export type EsiaRequestStep = z.infer<typeof request> & { expect?: Expectation };
