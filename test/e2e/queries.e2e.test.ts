import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readServerDatabase } from '../helpers/databases.js';
import { startE2eServer } from '../helpers/e2e-server.js';

// Issue "Usage queries", acceptance: the example bodies of spec §3.2 and §4 run end to end over
// HTTP against a real server, and their answers equal the same aggregation computed independently
// from the raw records (read here from the database once the server has stopped; TEST_STORE=postgres:
// from its PostgreSQL schema).

type Json = Record<string, unknown>;

test('the spec examples answer over a real socket exactly what the raw records say', async (t) => {
  const server = await startE2eServer(t, { name: 'queries', demoRows: 30_000 });
  const headers = await server.headers();
  const post = async (url: string, body: object): Promise<Json> => {
    const response = await fetch(`${server.url}${url}`, { method: 'POST', headers, body: JSON.stringify(body) });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as Json;
  };
  const poll = async (url: string, final: string[]): Promise<Json> => {
    for (;;) {
      const body = (await (await fetch(`${server.url}${url}`, { headers })).json()) as Json;
      if (final.includes(String(body.status))) return body;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const contract = '110000917988';

  // Token Flex: the reference query with IN (…) and the documented contractYear/LIKE clause.
  const reference = await post(`/tokenflex/v1/usage/${contract}/query`, {
    fields: ['usageCategory', 'productName'], metrics: ['tokensConsumed'],
    where: "contractYear = 1 and productName IN ('AutoCAD', 'Revit', 'Civil 3D')",
  });
  const referenceDone = await poll(`${String(reference.detail_uri)}?limit=1000`, ['DONE', 'FAILED', 'TIMEOUT']);
  const documented = await post(`/tokenflex/v1/usage/${contract}/query`, {
    fields: ['userName'], metrics: ['tokensConsumed', 'useCount'], where: "contractYear = 2 and userName LIKE 'admin%'",
  });
  const documentedDone = await poll(`${String(documented.detail_uri)}?limit=1000`, ['DONE', 'FAILED', 'TIMEOUT']);
  // Insights: unique users and tokens per product over every team admin administers.
  const insights = await post('/insights/v1/usage-queries', { fields: ['productName'], metrics: ['uniqueUsers', 'totalTokens'], where: '', orderBy: '' });
  const insightsDone = await poll(`/insights/v1/usage-queries/${String(insights.id)}?limit=1000`, ['COMPLETED', 'ERROR']);

  assert.equal(await server.process.stop('SIGTERM'), 0);
  const raw = (duckdb: string, postgres: string, parameters: (string | number)[] = []) => readServerDatabase(server.dataDir, { duckdb, postgres }, parameters);
  const round = (rows: unknown[][], column: number) => rows.map((row) => row.map((v, i) => (i === column ? Math.round((v as number) * 1000) / 1000 : v)));
  const expectedReference = await raw(
    `select usage_category, product_name, round(sum(tokens_consumed), 3) from usage_records
      where contract_number = $1 and contract_year = 1 and product_name in ('AutoCAD', 'Revit', 'Civil 3D') group by 1, 2 order by 1, 2`,
    `select usage_category, product_name, round(sum(tokens_consumed)::numeric, 3)::float8 from usage_records
      where contract_number = $1 and contract_year = 1 and product_name in ('AutoCAD', 'Revit', 'Civil 3D') group by 1, 2 order by 1, 2`, [contract]);
  assert.ok(expectedReference.length > 0);
  assert.deepEqual(round((referenceDone.result as { rows: unknown[][] }).rows, 2), expectedReference);

  const expectedDocumented = await raw(
    `select user_name, round(sum(tokens_consumed), 3), cast(count(*) filter (where is_charged_event) as integer) from usage_records
      where contract_number = $1 and contract_year = 2 and user_name like 'admin%' group by 1 order by 1`,
    `select user_name, round(sum(tokens_consumed)::numeric, 3)::float8, cast(count(*) filter (where is_charged_event) as integer) from usage_records
      where contract_number = $1 and contract_year = 2 and user_name like 'admin%' group by 1 order by 1`, [contract]);
  assert.deepEqual(round((documentedDone.result as { rows: unknown[][] }).rows, 1), expectedDocumented);

  const insightsSql = (tokens: string) => `select coalesce(parent_product_name, product_name) as p, cast(count(distinct user_id) as integer), ${tokens}
       from usage_records where team_id in (select team_id from team_members m join users u on u.id = m.user_id where u.email = 'admin@example.com' and m.is_admin)
      group by p order by p`;
  const expectedInsights = await raw(insightsSql('round(sum(tokens_consumed), 3)'), insightsSql('round(sum(tokens_consumed)::numeric, 3)::float8'));
  assert.equal(insightsDone.status, 'COMPLETED');
  assert.deepEqual(round(insightsDone.rows as unknown[][], 2), expectedInsights);
});
