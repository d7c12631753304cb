import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { buildTestApp, type TestApp } from '../../../test/helpers/build-app.js';
import { pollUntil } from '../../../test/helpers/poll.js';
import { FIXTURE_CONTRACT, openFixtureStore } from '../../../test/helpers/usage-fixture.js';

// Issue 19, "Observability": GET /metrics in the Prometheus text format, read here with a
// Prometheus text parser, and counters that move with the traffic the test sends.
const SESSIONS_NDJSON = readFileSync(new URL('../../../test/fixtures/usage-sessions.ndjson', import.meta.url), 'utf8');

interface Family { readonly name: string; readonly type: string; readonly metrics: readonly Sample[] }
interface Sample {
  readonly value?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly buckets?: Readonly<Record<string, string>>;
  readonly count?: string;
  readonly sum?: string;
}

interface Scrape {
  readonly text: string;
  readonly families: Map<string, Family>;
}

/** A scrape, parsed: families by name. */
async function scrape(app: TestApp): Promise<Scrape> {
  const response = await app.app.inject({ url: '/metrics' });
  assert.equal(response.statusCode, 200, response.body);
  assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return { text: response.body, families: new Map((parsePrometheusTextFormat(response.body) as Family[]).map((family) => [family.name, family])) };
}

/** The value of the counter or gauge sample of `name` whose labels include `labels`; 0 when absent. */
function valueOf(scraped: Scrape, name: string, labels: Record<string, string> = {}): number {
  const sample = scraped.families.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return Number(sample?.value ?? 0);
}

/**
 * The observation count of the series of histogram `name` with exactly these labels (0 when
 * absent). The parser reads a histogram's count and buckets only when its samples carry no labels
 * besides `le`, so the series' lines are picked, their other labels dropped, and parsed alone.
 */
function histogramCount(scraped: Scrape, name: string, labels: Record<string, string>): number {
  const own = (line: string) => {
    const inner = /\{([^}]*)\}/.exec(line)?.[1] ?? '';
    const pairs = inner.split(/,(?=[a-z_]+=")/).filter((pair) => !pair.startsWith('le='));
    return pairs.length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => pairs.includes(`${k}="${v}"`));
  };
  const series = scraped.text.split('\n')
    .filter((line) => line.startsWith(`# TYPE ${name} `) || (new RegExp(`^${name}_(bucket|sum|count)\\{`).test(line) && own(line)))
    .map((line) => line.replace(/\{[^}]*\}/, (braces) => { const le = /le="[^"]*"/.exec(braces); return le ? `{${le[0]}}` : ''; }));
  const [family] = parsePrometheusTextFormat(`${series.join('\n')}\n`) as Family[];
  assert.ok(!family || family.type === 'HISTOGRAM', `${name} is a histogram`);
  return Number(family?.metrics[0]?.count ?? 0);
}

test('GET /metrics answers in the Prometheus text format and its counters move with the traffic sent', async (t) => {
  const app = await buildTestApp(t, await openFixtureStore(t), {}, { metrics: 'loopback' });
  const token = await app.tokenFor('admin@example.com');
  const headers = { authorization: `Bearer ${token}` };
  const before = await scrape(app);

  // 1. Traffic: a stored batch, a refused one, a Token Flex query to its end, an export to its file.
  const stored = await app.app.inject({ method: 'POST', url: '/admin/v1/usage', headers: { ...headers, 'content-type': 'application/x-ndjson' }, payload: SESSIONS_NDJSON });
  assert.equal(stored.statusCode, 200, stored.body);
  const inserted = (stored.json() as { inserted: number }).inserted;
  assert.ok(inserted > 0);
  const refused = await app.app.inject({ method: 'POST', url: '/admin/v1/usage', headers: { ...headers, 'content-type': 'application/x-ndjson' }, payload: '{"contractNumber":"FX1"}\n' });
  assert.equal(refused.statusCode, 400, refused.body);
  const query = await app.app.inject({
    method: 'POST', url: `/tokenflex/v1/usage/${FIXTURE_CONTRACT}/query`, headers, payload: { fields: ['productName'], metrics: ['tokensConsumed'] },
  });
  assert.equal(query.statusCode, 200, query.body);
  const queryBody = query.json() as { status: string; detail_uri: string };
  if (queryBody.status !== 'DONE') await pollUntil(app.app, queryBody.detail_uri, token, (b) => b.status === 'DONE');
  const exported = await app.app.inject({
    method: 'POST', url: `/tokenflex/v1/export/${FIXTURE_CONTRACT}/requests`, headers, payload: { fields: ['productName'], metrics: ['tokensConsumed'] },
  });
  assert.equal(exported.statusCode, 200, exported.body);
  const key = (exported.json() as { requestKey: string }).requestKey;
  const done = await pollUntil(app.app, `/tokenflex/v1/export/${FIXTURE_CONTRACT}/requests/${encodeURIComponent(key)}`, token,
    (b) => b.requestStatus !== 'Requested');
  assert.equal(done.requestStatus, 'Download', JSON.stringify(done));
  const after = await scrape(app);
  const moved = (name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);
  const observed = (name: string, labels: Record<string, string>) => histogramCount(after, name, labels) - histogramCount(before, name, labels);

  // 2. Requests by route pattern and status, with their latency histogram.
  const ingestRoute = { method: 'POST', route: '/admin/v1/usage' };
  assert.equal(after.families.get('usage_insights_http_requests_total')?.type, 'COUNTER');
  assert.equal(moved('usage_insights_http_requests_total', { ...ingestRoute, status_code: '200' }), 1);
  assert.equal(moved('usage_insights_http_requests_total', { ...ingestRoute, status_code: '400' }), 1);
  assert.equal(after.families.get('usage_insights_http_request_duration_seconds')?.type, 'HISTOGRAM');
  assert.equal(observed('usage_insights_http_request_duration_seconds', { ...ingestRoute, status_code: '200' }), 1);
  assert.ok(moved('usage_insights_http_requests_total', { method: 'GET', route: '/tokenflex/v1/export/:contract_number/requests/:request_key' }) >= 1);
  const routes = after.families.get('usage_insights_http_requests_total')!.metrics.map((m) => m.labels?.route ?? '');
  assert.ok(!routes.some((route) => route.includes(key.slice(-12))), `a route label holds a request key: ${routes.join(', ')}`);

  // 3. Ingested records and refused batches.
  assert.equal(moved('usage_insights_ingested_records_total'), inserted);
  assert.equal(moved('usage_insights_ingest_batches_total', { outcome: 'stored' }), 1);
  assert.equal(moved('usage_insights_ingest_batches_total', { outcome: 'refused' }), 1);

  // 4. Jobs: runs by kind and outcome with run time and queue wait; the store's count by state.
  assert.equal(moved('usage_insights_job_runs_total', { kind: 'usage-query', outcome: 'succeeded' }), 1);
  assert.equal(moved('usage_insights_job_runs_total', { kind: 'export', outcome: 'succeeded' }), 1);
  assert.equal(observed('usage_insights_job_run_duration_seconds', { kind: 'export', outcome: 'succeeded' }), 1);
  assert.equal(observed('usage_insights_job_queue_wait_seconds', { kind: 'export' }), 1);
  assert.equal(after.families.get('usage_insights_jobs')?.type, 'GAUGE');
  assert.equal(valueOf(after, 'usage_insights_jobs', { kind: 'export', state: 'succeeded' }), 1);
  assert.equal(valueOf(after, 'usage_insights_jobs', { kind: 'usage-query', state: 'succeeded' }), 1);

  // 5. Export bytes: the file's size, as its status reports it.
  const file = await app.app.inject({ url: new URL(String(done.downloadUrl)).pathname + new URL(String(done.downloadUrl)).search });
  assert.equal(moved('usage_insights_export_bytes_total'), file.rawPayload.length);

  // 6. The database pool, the process's memory and its event-loop lag.
  assert.ok(after.families.get('usage_insights_db_pool_connections')?.metrics.some((m) => m.labels?.state === 'idle'));
  assert.ok(after.families.has('usage_insights_db_pool_waiting'));
  assert.ok(valueOf(after, 'process_resident_memory_bytes') > 0);
  assert.ok(after.families.has('nodejs_eventloop_lag_seconds'));
  assert.ok(after.families.has('nodejs_heap_size_used_bytes'));
});

test('METRICS=loopback: open to this machine; from elsewhere only with a token of an admin', async (t) => {
  const app = await buildTestApp(t, await openFixtureStore(t), {}, { metrics: 'loopback' });
  const remote = { remoteAddress: '203.0.113.9' };
  for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
    assert.equal((await app.app.inject({ url: '/metrics', remoteAddress: address })).statusCode, 200, address);
  }
  const anonymous = await app.app.inject({ url: '/metrics', ...remote });
  assert.equal(anonymous.statusCode, 401);
  assert.equal(anonymous.headers['www-authenticate'], 'Bearer error="invalid_token"');
  const notAdmin = await app.app.inject({ url: '/metrics', ...remote, headers: { authorization: `Bearer ${await app.tokenFor('ann@example.com')}` } });
  assert.equal(notAdmin.statusCode, 403, notAdmin.body);
  const admin = await app.app.inject({ url: '/metrics', ...remote, headers: { authorization: `Bearer ${await app.tokenFor('admin@example.com')}` } });
  assert.equal(admin.statusCode, 200, admin.body);
});

test('METRICS=token: an admin token always, even from this machine; METRICS=off: no /metrics at all', async (t) => {
  const store = await openFixtureStore(t);
  const guarded = await buildTestApp(t, store, {}, { metrics: 'token' });
  assert.equal((await guarded.app.inject({ url: '/metrics' })).statusCode, 401);
  const admin = await guarded.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${await guarded.tokenFor('admin@example.com')}` } });
  assert.equal(admin.statusCode, 200);
  assert.match(admin.body, /^# HELP /m);
  const off = await buildTestApp(t, store);
  assert.equal((await off.app.inject({ url: '/metrics' })).statusCode, 404);
});
