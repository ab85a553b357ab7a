/* feature «webauthn»: the RP ID, origins, ceremony timeout and TOTP tolerance options and their variables. */
import test from 'ava';
import { ConfigFileError } from '../../lib/errors.ts';
import { configFromEnv, loadConfig } from '../../idp/config/index.ts';

test('defaults: RP ID localhost, origins follow the issuer, 120 s ceremonies, ±1 TOTP step', (t) => {
  const config = loadConfig();
  t.like(config.webauthn, { rpId: 'localhost', origins: [], timeoutSeconds: 120 });
  t.like(config.totp, { digits: 6, periodSeconds: 30, toleranceSteps: 1 });
});

test('ESIA_WEBAUTHN_* and ESIA_TOTP_TOLERANCE are read', (t) => {
  const config = loadConfig(
    configFromEnv({
      ESIA_WEBAUTHN_RP_ID: 'esia.stand.example',
      ESIA_WEBAUTHN_ORIGINS: 'https://esia.stand.example, https://esia.stand.example:8443',
      ESIA_WEBAUTHN_TIMEOUT: '30',
      ESIA_TOTP_TOLERANCE: '2',
    }),
  );
  t.like(config.webauthn, {
    rpId: 'esia.stand.example',
    origins: ['https://esia.stand.example', 'https://esia.stand.example:8443'],
    timeoutSeconds: 30,
  });
  t.is(config.totp.toleranceSteps, 2);
});

test('an IP address as RP ID, or an origin with a path, is refused with what to write instead', (t) => {
  t.throws(() => loadConfig(configFromEnv({ ESIA_WEBAUTHN_RP_ID: '127.0.0.1' })), {
    instanceOf: ConfigFileError,
    message: /host name such as localhost/,
  });
  t.throws(() => loadConfig(configFromEnv({ ESIA_WEBAUTHN_RP_ID: '::1' })), { instanceOf: ConfigFileError });
  t.throws(() => loadConfig(configFromEnv({ ESIA_WEBAUTHN_ORIGINS: 'https://esia.stand.example/login' })), {
    instanceOf: ConfigFileError,
    message: /without a path/,
  });
  t.throws(() => configFromEnv({ ESIA_WEBAUTHN_TIMEOUT: '1' }), { instanceOf: ConfigFileError });
});
