/*
 * Runs one relying party from environment variables: `node --import tsx relying-party/main.ts`.
 * The only place in relying-party/ that reads process.env: the rest takes one typed config.
 *   RP_HOST RP_PORT RP_PUBLIC_URL RP_IDP_ISSUER RP_CLIENT_ID RP_CLIENT_SECRET RP_TITLE RP_SUBTITLE
 *   RP_REQUIRED_TRUST (simplified|standard|confirmed) RP_DATA_DIR RP_REGISTER_FIXTURES RP_LOG (on|off) RP_CONTROL (on|off)
 *   RP_PORTAL (fmrm|nmo) RP_REVIEWERS_FILE RP_REVIEWER_LOOPBACK_ONLY (on|off) RP_UPLOAD_LIMIT_MB
 *   RP_NMO_URL RP_COMPLETED_API_SECRET RP_COMPLETED_API_REMOTE (on|off)
 *   RP_SMTP_URL (smtp://127.0.0.1:2525, the emulator's SMTP listener; empty or off = no e-mail)
 */
import { ConfigFileError } from '../lib/errors.ts';
import { rpConfig, type RpConfig, type TrustLevel } from './config.ts';
import { startRp } from './server.ts';

const env = process.env;
const overrides: Partial<RpConfig> = {};
if (env.RP_HOST) overrides.host = env.RP_HOST;
if (env.RP_PORT) {
  const port = Number(env.RP_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigFileError('environment', {
      field: 'RP_PORT',
      expected: 'a port from 0 to 65535',
      actual: env.RP_PORT,
    });
  overrides.port = port;
}
if (env.RP_PUBLIC_URL) overrides.publicUrl = env.RP_PUBLIC_URL;
if (env.RP_IDP_ISSUER) overrides.idpIssuer = env.RP_IDP_ISSUER;
if (env.RP_CLIENT_ID) overrides.clientId = env.RP_CLIENT_ID;
if (env.RP_CLIENT_SECRET) overrides.clientSecret = env.RP_CLIENT_SECRET;
if (env.RP_PORTAL) overrides.portal = env.RP_PORTAL as RpConfig['portal']; // validated by rpConfig
if (env.RP_TITLE) overrides.title = env.RP_TITLE;
if (env.RP_TITLE_GENITIVE) overrides.titleGenitive = env.RP_TITLE_GENITIVE;
if (env.RP_SUBTITLE) overrides.subtitle = env.RP_SUBTITLE;
if (env.RP_REQUIRED_TRUST) overrides.requiredTrust = env.RP_REQUIRED_TRUST as TrustLevel; // validated by rpConfig
if (env.RP_DATA_DIR) overrides.dataDir = env.RP_DATA_DIR;
if (env.RP_REGISTER_FIXTURES) overrides.registerFixtures = env.RP_REGISTER_FIXTURES;
if (env.RP_LOG) overrides.log = ['1', 'true', 'on', 'yes'].includes(env.RP_LOG);
if (env.RP_NMO_URL) overrides.nmoUrl = env.RP_NMO_URL;
if (env.RP_COMPLETED_API_SECRET) overrides.completedApiSecret = env.RP_COMPLETED_API_SECRET;
if (env.RP_COMPLETED_API_REMOTE)
  overrides.completedApiRemote = ['1', 'true', 'on', 'yes'].includes(env.RP_COMPLETED_API_REMOTE);
if (env.RP_SMTP_URL && env.RP_SMTP_URL !== 'off') overrides.smtpUrl = env.RP_SMTP_URL; // validated by rpConfig
if (env.RP_CONTROL) overrides.control = ['1', 'true', 'on', 'yes'].includes(env.RP_CONTROL);
if (env.RP_UPLOAD_LIMIT_MB) {
  const mb = Number(env.RP_UPLOAD_LIMIT_MB);
  if (!(mb > 0 && mb <= 1024))
    throw new ConfigFileError('environment', {
      field: 'RP_UPLOAD_LIMIT_MB',
      expected: 'megabytes from 0.001 to 1024, e.g. 10',
      actual: env.RP_UPLOAD_LIMIT_MB,
    });
  overrides.uploadLimitBytes = Math.round(mb * 1024 * 1024);
}
if (env.RP_REVIEWERS_FILE) overrides.reviewersFile = env.RP_REVIEWERS_FILE;
if (env.RP_REVIEWER_LOOPBACK_ONLY)
  overrides.reviewerLoopbackOnly = ['1', 'true', 'on', 'yes'].includes(env.RP_REVIEWER_LOOPBACK_ONLY);

const rp = await startRp(rpConfig(overrides));
console.log(`Relying party ready: ${rp.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    rp.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
