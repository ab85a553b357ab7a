/* node --import tsx idp/support/hash_password.ts <password> [N]: prints a scrypt hash for config/operators.json. */
import { hashPassword } from '../adapters/password_hash.ts';

const [password, n] = process.argv.slice(2);
if (!password) {
  console.error('Usage: node --import tsx idp/support/hash_password.ts <password> [scrypt N, default 1024]');
  process.exit(2);
}
console.log(await hashPassword(password, Number(n ?? 1024)));
