/*
 * What the load tools (bench.ts, soak.ts) sign in with: the benchmark's client, written to a
 * clients file the spawned emulator reads, and the personas whose sign-in is two steps only.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from './emulator.ts';
import type { Persona } from './login.ts';

export const benchClient = { clientId: 'bench', clientSecret: 'bench-local-test-secret', redirectUri: 'http://localhost:9/cb' };

/** Writes a clients file with the benchmark's first-party client into `root`; returns its path. */
export async function writeClients(root: string): Promise<string> {
  const file = join(root, 'clients.json');
  const c = benchClient;
  const bench = { client_id: c.clientId, client_secret: c.clientSecret, client_name: 'Benchmark', redirect_uris: [c.redirectUri], scope: 'openid', first_party: true };
  await writeFile(file, JSON.stringify({ clients: [bench] }));
  return file;
}

interface PersonaFixture extends Persona {
  status: string;
  phoneConfirmed: boolean;
  emailConfirmed: boolean;
  passwordMustChange: boolean;
  passwordChangedAt: string;
  lockedAt: string | null;
  agreementAcceptedAt: string | null;
}

/**
 * Personas whose sign-in is password → code → done: active, phone and e-mail confirmed, not locked,
 * no forced or age-expired password change, agreement already accepted (the emulator's own rules).
 */
export async function plainPersonas(): Promise<Persona[]> {
  const { personas } = JSON.parse(await readFile(join(repoRoot, 'config/personas.json'), 'utf8')) as { personas: PersonaFixture[] };
  const maxAgeMs = 180 * 24 * 3600 * 1000;
  return personas
    .filter(
      (p) =>
        p.status === 'active' &&
        p.phoneConfirmed &&
        p.emailConfirmed &&
        !p.passwordMustChange &&
        p.lockedAt === null &&
        p.agreementAcceptedAt !== null &&
        Date.now() - Date.parse(p.passwordChangedAt) <= maxAgeMs,
    )
    .map(({ persona, phone, password }) => ({ persona, phone, password }));
}
