/* The emulator's password hashing is the project's one scrypt scheme (lib/password_hash.ts), shared with the relying party's reviewers. */
export { hashPassword, verifyPassword } from '../../lib/password_hash.ts';
