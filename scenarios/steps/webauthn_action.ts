/* What a `webauthn` step asks of the user's device: one zod definition for the step and the test authenticators (runner/authenticator.ts). Imports nothing of the runner. */
import { z } from 'zod';

/** What the step asks of the user's device. */
export const authenticatorFields = {
  authenticator: z
    .string()
    .optional()
    .describe(
      'A test authenticator holding that fixture credential (replaces the device of its kind); omitted: the device used before, or a new empty one.',
    ),
  userVerified: z
    .boolean()
    .optional()
    .describe('Whether the device verifies the user (biometrics, PIN). Default true.'),
  signCount: z
    .int()
    .optional()
    .describe("Start the fixture credential's signature counter here (lower than the account's = a cloned key)."),
  cancel: z.boolean().optional().describe("The user cancels the browser's dialog."),
  forge: z
    .strictObject(
      {
        origin: z.string().optional().describe('clientDataJSON.origin'),
        rpId: z.string().optional().describe('The RP ID whose hash goes into authenticatorData.'),
        dropUv: z.boolean().optional().describe('Clear the UV flag.'),
        replay: z.boolean().optional().describe('Post the previous forged answer again.'),
      },
      { error: 'expected an object such as {"origin": "https://evil.example"}' },
    )
    .optional()
    .describe(
      "An answer no browser sends, built outside the browser from the fixture key and posted by the page's form.",
    ),
};

/** What a `webauthn` step asks of the user's device (its fields without `do` and `expect`). */
export type AuthenticatorAction = z.infer<z.ZodObject<typeof authenticatorFields>>;
