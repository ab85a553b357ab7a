/*
 * The error boundary is the one place where a thrown error becomes a response: the error page's view
 * and the ESIA face's answer to a refusal are reached only from it (the contact-confirmation screen
 * excepted: its refusal is a screen with an offer to confirm on the spot).
 */
import test from 'ava';
import { join } from 'node:path';
import { moduleGraph, readSources } from '../helpers/import_graph.ts';

const sources = readSources(join(import.meta.dirname, '..', '..'));
const graph = moduleGraph(sources);
const product = [...sources.keys()].filter((file) => !file.startsWith('test/'));

test('the error page is drawn by the error boundary only, and the contact-confirmation screen', (t) => {
  const importers = product.filter((file) => graph.get(file)?.includes('idp/views/error.ts'));
  t.deepEqual(importers.sort(), ['idp/errors/boundary.ts', 'idp/interactions/confirm_contact_screen.ts']);
});

test('ESIA refusals are answered by the error boundary only: endpoints throw EsiaProtocolError.at()', (t) => {
  const callers = product.filter(
    (file) => /\banswerRefusal\(/.test(sources.get(file)!) && !/export function answerRefusal/.test(sources.get(file)!),
  );
  t.deepEqual(callers, ['idp/errors/boundary.ts']);
});

// The outage gate's OIDC answers (redirect to the client, 503 JSON) are still made in place.
test('a refusal is journaled with its reference code by the boundary, the ESIA answer it calls, and the outage gate', (t) => {
  const recorders = product.filter(
    (file) => /newReference\(\)/.test(sources.get(file)!) && /outcome: 'refused'/.test(sources.get(file)!),
  );
  t.deepEqual(recorders.sort(), ['idp/errors/boundary.ts', 'idp/esia/refusal.ts', 'idp/provider/outage_gate.ts']);
});
