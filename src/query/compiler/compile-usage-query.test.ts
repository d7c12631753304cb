import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Catalog, FieldDef } from '../../catalog/index.js';
import { insightsCatalog, tokenflexCatalog } from '../../catalog/index.js';
import type { UsageQuerySpec } from '../index.js';
import { compileUsageQuery, planUsageQuery } from '../index.js';

const CONTRACT = { kind: 'contract', contractNumber: '110001234567' } as const;

/** The SQL and parameters of one spec in both dialects, for side-by-side comparison. */
function compileBoth(catalog: Catalog, spec: Omit<UsageQuerySpec, 'purpose' | 'scope'> & Partial<UsageQuerySpec>) {
  const plan = planUsageQuery({ scope: CONTRACT, purpose: 'query', ...spec }, catalog);
  const duckdb = compileUsageQuery(plan, 'duckdb');
  const postgres = compileUsageQuery(plan, 'postgres');
  return {
    duckdb: { sql: duckdb.sql, parameters: duckdb.parameters },
    postgres: { sql: postgres.sql, parameters: postgres.parameters },
  };
}

describe('compileUsageQuery', () => {
  test('compiles the Token Flex reference query with bound parameters in both dialects', () => {
    const sql = 'select r.usage_category as "usageCategory", r.product_name as "productName", '
      + 'coalesce(sum(r.tokens_consumed), 0) as "tokensConsumed" from usage_records r '
      + 'where r.contract_number = $1 and (r.contract_year = $2 and r.product_name in ($3, $4)) '
      + 'group by 1, 2 order by 1, 2, 3';
    const parameters = ['110001234567', 2, 'AutoCAD', 'Maya'];
    assert.deepEqual(compileBoth(tokenflexCatalog, {
      fields: ['usageCategory', 'productName'],
      metrics: ['tokensConsumed'],
      where: "contractYear = 2 and productName IN ('AutoCAD', 'Maya')",
    }), {
      duckdb: { sql, parameters },
      postgres: { sql, parameters },
    });
  });

  test('returns the output columns with their catalogue types, frozen', () => {
    const plan = planUsageQuery({
      fields: ['usageCategory', 'contractYear'], metrics: ['uniqueUsers'], scope: CONTRACT, purpose: 'query',
    }, tokenflexCatalog);
    const compiled = compileUsageQuery(plan, 'duckdb');
    assert.deepEqual(compiled.columns, [
      { name: 'usageCategory', type: 'enum' }, { name: 'contractYear', type: 'integer' }, { name: 'uniqueUsers', type: 'integer' },
    ]);
    assert.ok(Object.isFrozen(compiled) && Object.isFrozen(compiled.parameters) && Object.isFrozen(compiled.columns));
    assert.ok(Object.isFrozen(plan));
  });

  test('compiles a comparison and a case-sensitive LIKE with no escape character', () => {
    const sql = 'select r.product_name as "productName", count(distinct r.user_name) as "uniqueUsers" '
      + 'from usage_records r where r.contract_number = $1 '
      + "and (r.contract_year >= $2 and r.user_name like $3 escape '') group by 1 order by 1, 2";
    const parameters = ['110001234567', 2, 'admin%'];
    assert.deepEqual(compileBoth(tokenflexCatalog, {
      fields: ['productName'], metrics: ['uniqueUsers'], where: "contractYear >= 2 and userName LIKE 'admin%'",
    }), {
      duckdb: { sql, parameters },
      postgres: { sql, parameters },
    });
  });

  test('orders an Insights query by its orderBy with nulls last, then by every column, for a set of teams', () => {
    const tail = ' as "usageDate", count(distinct r.user_id) as "uniqueUsers", '
      + 'coalesce(sum(r.tokens_consumed), 0) as "totalTokens" from usage_records r where r.team_id in ($1, $2) '
      + 'group by 1, 2 order by coalesce(r.parent_product_name, r.product_name) desc nulls last, '
      + 'count(distinct r.user_id) asc nulls last, 1, 2, 3, 4';
    const head = 'select coalesce(r.parent_product_name, r.product_name) as "productName", ';
    const parameters = ['4865648', '4865649'];
    assert.deepEqual(compileBoth(insightsCatalog, {
      fields: ['productName', 'usageDate'],
      metrics: ['uniqueUsers', 'totalTokens'],
      orderBy: 'productName DESC, uniqueUsers ASC',
      scope: { kind: 'teams', teamIds: ['4865648', '4865649'] },
    }), {
      duckdb: { sql: `${head}strftime(r.usage_date, '%Y-%m-%d')${tail}`, parameters },
      postgres: { sql: `${head}to_char(r.usage_date, 'YYYY-MM-DD')${tail}`, parameters },
    });
  });

  test('compares dates as DATE and groups by the date column it orders by', () => {
    const tail = ' as "usageDate", coalesce(sum(r.tokens_consumed), 0) as "tokensConsumed" from usage_records r '
      + 'where r.contract_number = $1 and (r.usage_date >= cast($2 as date) and r.usage_date < cast($3 as date)) '
      + 'group by 1, r.usage_date order by r.usage_date desc nulls last, 1, 2';
    const parameters = ['110001234567', '2024-01-01', '2024-02-01'];
    assert.deepEqual(compileBoth(tokenflexCatalog, {
      fields: ['usageDate'],
      metrics: ['tokensConsumed'],
      where: "usageDate >= '2024-01-01' and usageDate < '2024-02-01'",
      orderBy: 'usageDate desc',
    }), {
      duckdb: { sql: `select strftime(r.usage_date, '%Y-%m-%d')${tail}`, parameters },
      postgres: { sql: `select to_char(r.usage_date, 'YYYY-MM-DD')${tail}`, parameters },
    });
  });

  test('drops an always-true clause like 1=1 and keeps an always-false one as false', () => {
    const sql = 'select r.product_name as "productName", coalesce(sum(r.tokens_consumed), 0) as "tokensConsumed" '
      + 'from usage_records r where r.contract_number = $1 group by 1 order by 1, 2';
    const parameters = ['110001234567'];
    const spec = { fields: ['productName'], metrics: ['tokensConsumed'] };
    assert.deepEqual(compileBoth(tokenflexCatalog, { ...spec, where: '1=1' }), {
      duckdb: { sql, parameters },
      postgres: { sql, parameters },
    });
    assert.deepEqual(compileBoth(tokenflexCatalog, { ...spec, where: "1 = 1 or productName = 'Maya'" }), {
      duckdb: { sql, parameters },
      postgres: { sql, parameters },
    });
    const none = sql.replace(' group by', ' and (false) group by');
    assert.deepEqual(compileBoth(tokenflexCatalog, { ...spec, where: "1=2 and productName = 'Maya'" }), {
      duckdb: { sql: none, parameters },
      postgres: { sql: none, parameters },
    });
  });

  test('compiles IS NULL and restricts to the requested usage category', () => {
    const sql = 'select r.product_name as "productName", count(*) filter (where r.is_charged_event) as "useCount" '
      + 'from usage_records r where r.contract_number = $1 and r.usage_category in ($2) '
      + 'and (r.machine_name is null or r.product_version is null) group by 1 order by 1, 2';
    const parameters = ['110001234567', 'DESKTOP_PRODUCT'];
    assert.deepEqual(compileBoth(tokenflexCatalog, {
      fields: ['productName'],
      metrics: ['useCount'],
      where: 'machineName IS NULL or productVersion is null',
      usageCategories: ['DESKTOP_PRODUCT'],
    }), {
      duckdb: { sql, parameters },
      postgres: { sql, parameters },
    });
  });

  test('compiles BETWEEN on numbers and on dates, and keeps the user\'s parentheses', () => {
    const sql = 'select coalesce(sum(r.tokens_consumed), 0) as "tokensConsumed" from usage_records r '
      + 'where r.contract_number = $1 and ((r.contract_year between $2 and $3 or r.token_pool <> $4) '
      + "and cast(date_trunc('month', r.usage_date) as date) between cast($5 as date) and cast($6 as date)) "
      + 'order by 1';
    const parameters = ['110001234567', 1, 3, 'MY', '2024-01-01', '2024-03-01'];
    assert.deepEqual(compileBoth(tokenflexCatalog, {
      fields: [],
      metrics: ['tokensConsumed'],
      where: "(contractYear BETWEEN 1 AND 3 or tokenPool != 'MY') and usageMonth between '2024-01-01' and '2024-03-01'",
    }), {
      duckdb: { sql, parameters },
      postgres: { sql, parameters },
    });
  });

  test('joins users and teams only when a selected field needs them and binds booleans', () => {
    const sql = 'select t.name as "teamName", u.email as "emailAddress", count(distinct r.user_id) as "uniqueUsers" '
      + 'from usage_records r join users u on u.id = r.user_id join teams t on t.id = r.team_id '
      + 'where r.team_id in ($1) and ((r.parent_product_name is null) = $2 and r.source in ($3, $4)) '
      + 'group by 1, 2 order by 1, 2, 3';
    const parameters = ['4865648', true, 'flex', 'ppu'];
    assert.deepEqual(compileBoth(insightsCatalog, {
      fields: ['teamName', 'emailAddress'],
      metrics: ['uniqueUsers'],
      where: "isParentProduct = TRUE and source IN ('flex', 'ppu')",
      scope: { kind: 'teams', teamIds: ['4865648'] },
    }), {
      duckdb: { sql, parameters },
      postgres: { sql, parameters },
    });
  });

  test('returns no rows for an empty team list instead of every row', () => {
    const sql = 'select count(distinct r.user_id) as "uniqueUsers" from usage_records r where false order by 1';
    assert.deepEqual(compileBoth(insightsCatalog, {
      fields: [], metrics: ['uniqueUsers'], scope: { kind: 'teams', teamIds: [] },
    }), {
      duckdb: { sql, parameters: [] },
      postgres: { sql, parameters: [] },
    });
  });

  test('maps a legacy usage category name in the where clause to today\'s name', () => {
    const sql = 'select count(distinct r.user_name) as "uniqueUsers" from usage_records r '
      + 'where r.contract_number = $1 and r.usage_category in ($2) and (r.usage_category = $3) order by 1';
    const parameters = ['110001234567', 'CLOUD_SERVICE', 'DESKTOP_PRODUCT'];
    assert.deepEqual(compileBoth(tokenflexCatalog, {
      fields: [], metrics: ['uniqueUsers'], usageCategories: ['CLOUD_CONSUMPTION'], where: "usageCategory = 'PRODUCT_CONSUMPTION'",
    }), {
      duckdb: { sql, parameters },
      postgres: { sql, parameters },
    });
  });

  test('binds a date-time literal as UTC text cast to timestamp', () => {
    const column = 'r.session_start';
    // Neither catalogue has a filterable date-time field today (they are all session-level).
    const eventTime: FieldDef = {
      name: 'eventTime', type: 'datetime', description: 'A filterable date-time, for this test.',
      sql: { duckdb: column, postgres: column }, filterSql: { duckdb: column, postgres: column },
      filterable: true, sessionLevel: false, usageCategories: ['DESKTOP_PRODUCT'], personal: false, freeText: false, joins: [],
    };
    const catalog: Catalog = { api: 'tokenflex', fields: new Map([['eventTime', eventTime]]), metrics: tokenflexCatalog.metrics };
    const sql = 'select count(*) filter (where r.is_charged_event) as "useCount" from usage_records r '
      + 'where r.contract_number = $1 and (r.session_start >= cast($2 as timestamp) and r.session_start < cast($3 as timestamp)) '
      + 'order by 1';
    const parameters = ['110001234567', '2024-03-01 06:30:00', '2024-03-02 00:00:00.25'];
    assert.deepEqual(compileBoth(catalog, {
      fields: [], metrics: ['useCount'], where: "eventTime >= '2024-03-01T08:30:00+02:00' and eventTime < '2024-03-02T00:00:00.25Z'",
    }), {
      duckdb: { sql, parameters },
      postgres: { sql, parameters },
    });
    assert.deepEqual(compileBoth(catalog, { fields: [], metrics: ['useCount'], where: "eventTime = '2024-03-01'" }).duckdb.parameters,
      ['110001234567', '2024-03-01 00:00:00']);
  });

  test('starts each compilation from a clean state', () => {
    const plan = planUsageQuery({
      fields: ['productName'], metrics: [], where: "productName = 'Maya'", scope: CONTRACT, purpose: 'query',
    }, tokenflexCatalog);
    const first = compileUsageQuery(plan, 'postgres');
    const second = compileUsageQuery(plan, 'postgres');
    assert.deepEqual(second, first);
    assert.deepEqual(first.parameters, ['110001234567', 'Maya']);
  });
});
