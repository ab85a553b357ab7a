/*
 * The case catalogue: every situation of signing in to ФМРМ through Госуслуги that the project must
 * reproduce, by ID (A ways to sign in, B account checks, C failures, D recovery, E support and
 * outages, F security, G the cabinet and single sign-on). Every scenario names the IDs it covers
 * (scenarios/catalogue/*.json, `catalogue`); test/catalogue.test.ts checks that each ID has one and
 * that no scenario, persona or error entry names an ID that is not here. Leaf module.
 */
export const cases = {
  A1: 'login + password, then a one-time code by SMS',
  A2: 'one-time code from the «Госуслуги» mobile app instead of SMS',
  A3: '«biometric» login through the mobile app',
  A4: 'electronic signature (ЭЦП) login',
  A5: 'hardware or software token',
  A6: 'login identifier is phone, e-mail, СНИЛС or ИНН',
  A7: '«Запомнить меня»',
  A8: 'step-up: operations with legal force need ЭЦП',
  A9: "an organisation's policy fixes the allowed methods",
  B1: 'no confirmed mobile phone',
  B2: 'no confirmed e-mail',
  B3: 'account restricted / status «неактивный»',
  B4: 'password older than six months',
  B5: 'second factor not set up / no access to the phone',
  B6: 'data the register needs: СНИЛС, ИНН, e-mail, date of birth, optional ESIA UID',
  B7: 'password complexity: 8+ chars, upper and lower case, digit, special char',
  B8: 'account trust level (simplified / standard / confirmed)',
  C1: 'wrong login or password (one wrong letter is enough)',
  C2: 'several failed attempts',
  C3: 'password expired',
  C4: 'profile inactive (registration not finished)',
  C5: 'FMRM profile not linked to the ESIA account',
  C6: 'browser/security certificate problems: outdated or revoked certificates',
  C7: 'wrong or expired one-time code; too many code attempts; resend limits',
  D1: '«Забыли пароль?»: phone or e-mail → code by SMS or e-mail → new password meeting B7 → sign in with it',
  D2: 'recovery fails (no access to phone or mail): support verifies identity (passport, СНИЛС, professional registration) and resets the password or issues a temporary code that forces a change at next login',
  E1: 'every error screen shows a reference code; support finds the whole story of that attempt by it (time, IP, action)',
  E2: 'a support console: find a user by ФИО, phone, СНИЛС or FMRM account number; unlock; reset password; issue a temporary code; re-issue a certificate',
  E3: 'announced outages: the emulator can be put into maintenance / outage mode with a notice and an expected recovery time, and relying parties see the failure they would see in life',
  F1: 'multi-factor: password + one-time code, biometrics where present',
  F2: 'transport: HTTPS available (local CA), TLS 1.3; secrets at rest never in clear (password hashes, key material)',
  F3: 'roles follow professional activity; one account cannot act for different categories of staff',
  F4: 'lockout after repeated failures (C2), also under concurrent attempts',
  F5: 'every request audited with time, IP and action; the journal is tamper-evident and verifiable',
  G1: 'SSO: Госуслуги → «Мои услуги» → ФМРМ → cabinet without a second password; a second relying party reuses the session',
  G2: 'first entry: accept the user agreement; set up a second factor',
  G3: 'cabinet home: registration status, notifications of upcoming checks',
  G4: 'personal data: view as a table; edit with format checks (phone, licence number); every change journaled and an earlier version restorable',
  G5: 'documents: uploaded files with status accepted (green) / on review (yellow) / rejected (red); filter by type (licence, certificate, справка); reviewer comment on rejection; «Повторная загрузка» replaces a rejected file; «Запросить статус» after 7 days on review; history kept 12 months',
  G6: "notifications of status changes: in the cabinet and by e-mail (to the emulator's mail inbox)",
  G7: 'professional development: events filtered by specialty, region, date; one-click registration; completion certificate',
  G8: 'logout: local and single logout through the emulator',
} as const;

export type CaseId = keyof typeof cases;
