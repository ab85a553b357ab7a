/* The tiles of «Мои услуги» (G1) from the clients file: which systems, their texts and start URLs, and a bad "service" named precisely. */
import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { movedTo, providerMetadata, readClients, serviceTiles } from '../../idp/provider/clients.ts';

const clientsFile = async (clients: unknown[]) => {
  const file = join(await mkdtemp(join(tmpdir(), 'esia-tiles-')), 'clients.json');
  await writeFile(file, JSON.stringify({ clients }));
  return file;
};

test('the repository’s clients file gives the tiles ФМРМ and Портал НМО, each starting its system’s sign-in', async (t) => {
  const tiles = serviceTiles(await readClients(join(import.meta.dirname, '..', '..', 'config', 'clients.json')));
  t.deepEqual(
    tiles.map((tile) => [tile.clientId, tile.title, tile.startUrl]),
    [
      ['fmrm', 'ФМРМ', 'http://localhost:4000/login'],
      ['nmo-portal', 'Портал НМО', 'http://localhost:4001/login'],
    ],
  );
  t.true(tiles.every((tile) => (tile.description ?? '').length > 20));
});

test('only first-party systems are tiles; without "service" the name and the origin of the first redirect URI stand in', (t) => {
  const tiles = serviceTiles([
    { client_id: 'own', client_name: 'Своя система', redirect_uris: ['http://localhost:5000/cb'], first_party: true },
    { client_id: 'other', client_name: 'Чужая', redirect_uris: ['http://localhost:5001/cb'] },
  ]);
  t.deepEqual(tiles, [{ clientId: 'own', title: 'Своя система', startUrl: 'http://localhost:5000/' }]);
});

test('the start URL moves with the relying party to where the start script really runs it', (t) => {
  const moved = movedTo(
    {
      client_id: 'fmrm',
      redirect_uris: ['http://localhost:4000/callback'],
      service: { start_url: 'http://localhost:4000/login' },
    },
    'http://localhost:4100',
  );
  t.is(moved.service?.start_url, 'http://localhost:4100/login');
  t.false('service' in providerMetadata(moved), 'not handed to oidc-provider');
});

test('a bad "service" in the clients file is named with its field and what was expected', async (t) => {
  const base = { client_id: 'fmrm', redirect_uris: ['http://localhost:4000/callback'], first_party: true };
  const cases: Array<[unknown, RegExp]> = [
    ['ФМРМ', /clients\[0\]\.service: expected the tile of «Мои услуги»: .*got "ФМРМ"/],
    [{ title: '' }, /clients\[0\]\.service\.title: expected a non-empty text, got ""/],
    [{ start_url: '/login' }, /clients\[0\]\.service\.start_url: expected an absolute http\(s\) URL .*got "\/login"/],
    [{ start_url: 'javascript:alert(1)' }, /clients\[0\]\.service\.start_url: expected an absolute http\(s\) URL/],
  ];
  for (const [service, message] of cases) {
    const error = await t.throwsAsync(readClients(await clientsFile([{ ...base, service }])));
    t.regex(error?.message ?? '', message);
  }
});
