/* The relying party's control API: a run's clock and reset, precise JSON refusals, runs kept apart. */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rpConfig } from '../relying-party/config.ts';
import { startRp } from '../relying-party/server.ts';

async function startedRp(t: import('ava').ExecutionContext, control = true) {
  const dataDir = await mkdtemp(join(tmpdir(), 'rp-control-'));
  const rp = await startRp(rpConfig({ port: 0, dataDir, control }));
  t.teardown(async () => {
    await rp.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${rp.url}/__control${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, unknown> | null };
  };
  return { rp, call };
}

test('reset seeds a run at the given instant; the clock is set, advanced and frozen per run', async (t) => {
  const { call } = await startedRp(t);
  const run = 'run-00000000abcd';
  const reset = await call('POST', `/reset?run=${run}`, { clock: '2026-12-01T09:00:00Z', freeze: true });
  t.is(reset.status, 200);
  t.like(reset.json, { reset: true, run, now: '2026-12-01T09:00:00.000Z', frozen: true });
  t.like((await call('POST', `/clock?run=${run}`, { advance: 'P7D' })).json, { now: '2026-12-08T09:00:00.000Z' });
  t.like((await call('GET', `/clock?run=${run}`)).json, { now: '2026-12-08T09:00:00.000Z', frozen: true });
  // The main run's clock did not move.
  const main = (await call('GET', '/clock')).json!;
  t.is(main.run, 'main');
  t.false(main.frozen);
  t.true(Math.abs(Date.parse(String(main.now)) - Date.now()) < 60_000);
});

test('bad control input is a 400 with a precise JSON message, never a page or a 500', async (t) => {
  const { call } = await startedRp(t);
  t.like(await call('POST', '/clock', { advance: 'soon' }), {
    status: 400,
    json: { error: 'control.bad_duration' },
  });
  t.like(await call('POST', '/clock', {}), { status: 400, json: { error: 'control.bad_clock' } });
  t.like(await call('POST', '/reset', { clock: 'yesterday' }), { status: 400, json: { error: 'control.bad_instant' } });
  t.like(await call('POST', '/clock', '{"advance":'), { status: 400, json: { error: 'control.bad_body' } });
  t.like(await call('POST', '/clock', '[1]'), { status: 400, json: { error: 'control.bad_body' } });
  t.like(await call('POST', '/clock', 'x'.repeat(300 * 1024)), { status: 413, json: { error: 'control.bad_body' } });
});

test('with the control API off, /__control is the ordinary not-found page', async (t) => {
  const { rp } = await startedRp(t, false);
  const res = await fetch(`${rp.url}/__control/clock`);
  t.is(res.status, 404);
  t.is(res.headers.get('x-rp-error'), 'rp.not_found');
});
