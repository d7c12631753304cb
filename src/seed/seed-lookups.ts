import { createHash } from 'node:crypto';
import { REASON_TYPES } from '../catalog/index.js';
import {
  DEMO_CLOUD_PRODUCTS, DEMO_COLLECTIONS, DEMO_ENRICHMENT_VALUES, DEMO_FIRST_NAMES, DEMO_LAST_NAMES,
  DEMO_PRODUCTS, DEMO_REASON_COMMENTS, DEMO_RELEASES, DEMO_TEAMS,
} from './demo-data.js';
import type { ProductGroup } from './demo-data.js';
import { values, type PhaseContext } from './seed-sql.js';

/** The product groups in the order the affinity and enrichment tables list them. */
export const PRODUCT_GROUPS: readonly ProductGroup[] = ['AEC', 'CIV', 'MFG', 'ME', 'GEN'];

function releasesOf(pointRelease: boolean) {
  return DEMO_RELEASES.filter((r) => pointRelease || !r.pointRelease);
}

/** A hub id in the shape of an Autodesk Construction Cloud hub: 'b.' and a UUID. */
function hubId(teamId: string, k: number): string {
  const hex = createHash('md5').update(`hub:${teamId}:${k}`).digest('hex');
  return `b.${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Phase 1: the small lookup tables, from our constants (demo-data.ts). */
export function lookupStatements(context: PhaseContext): string[] {
  const { firstDay, lastDay } = context;
  const statements: string[] = [];
  const add = (sql: string) => statements.push(sql);
  add(`create temp table seed_team as
select t, id, name, benefits, weight, std_offset, dst, site, contract_number, contract_name, pool_factor, enrichment,
  growth, step_at, step_factor,
  cast(date_trunc('month', ${firstDay}) - to_months(start_before) as date) as contract_start
from (values
  ${values(DEMO_TEAMS.map((t, k) => [k, t.id, t.name, t.benefits, t.weight, t.utcOffsetMinutes, t.dst, t.site,
    t.contractNumber, t.contractName, t.poolFactor, t.enrichment.join('\t'), t.contractStartMonthsBefore,
    t.trend && 'growth' in t.trend ? t.trend.growth : 0, t.trend && 'stepAt' in t.trend ? t.trend.stepAt : 2,
    t.trend && 'stepAt' in t.trend ? t.trend.stepFactor : 1]))}
) v(t, id, name, benefits, weight, std_offset, dst, site, contract_number, contract_name, pool_factor, enrichment, start_before,
  growth, step_at, step_factor)`);

  add(`create temp table seed_contract_year as
select t, y, cast(contract_start + to_months(cast(12 * (y - 1) as integer)) as date) as start_date,
  cast(contract_start + to_months(cast(12 * y as integer)) as date) - 1 as end_date
from seed_team, lateral (select unnest(range(1, greatest(3, (datediff('month', contract_start, ${lastDay}) + 12) // 12) + 1)) as y)`);

  add(`create temp table seed_affinity as select * from (values
  ${values(DEMO_TEAMS.flatMap((t, k) => PRODUCT_GROUPS.map((g) => [k, g, t.affinity[g]])))}
) v(t, grp, mult)`);

  add(`create temp table seed_collection as select * from (values
  ${values(DEMO_COLLECTIONS.map((c, k) => [k, c.code, c.name]))}
) v(c, code, name)`);

  add(`create temp table seed_product as select * from (values
  ${values(DEMO_PRODUCTS.map((p, k) => [k, p.code, p.name, p.dailyTokenRate, p.group, p.collection]))}
) v(p, code, name, rate, grp, col)`);

  const versions = DEMO_PRODUCTS.flatMap((p, k) => releasesOf(p.pointRelease).map((r, j) => ({ p: k, r, j, code: p.code })));
  add(`create temp table seed_version as select pv, p, version, feature_code, cast(effective_from as date) as effective_from, oldest
from (values
  ${values(versions.map((v, pv) => [pv, v.p, v.r.version,
    `${86000 + ((v.p * 7919 + Number(v.r.version.slice(0, 4)) * 131) % 9000)}${v.code}_${v.r.version.slice(0, 4)}_0F`,
    v.r.from, v.j === 0 ? 1 : 0]))}
) v(pv, p, version, feature_code, effective_from, oldest)`);

  add(`create temp table seed_cloud as select * from (values
  ${values(DEMO_CLOUD_PRODUCTS.map((c, k) => [k, c.category, c.code, c.name, c.tokens, c.weight]))}
) v(cp, category, code, name, tokens, weight)`);

  add(`create temp table seed_hub as select * from (values
  ${values(DEMO_TEAMS.flatMap((t, k) => [[k, 0, hubId(t.id, 0), `${t.name} Projects`], [k, 1, hubId(t.id, 1), `${t.name} Sandbox`]]))}
) v(t, hub, hub_id, hub_name)`);

  add(`create temp table seed_first_name as select * from (values ${values(DEMO_FIRST_NAMES.map((n, k) => [k, n]))}) v(k, name)`);
  add(`create temp table seed_last_name as select * from (values ${values(DEMO_LAST_NAMES.map((n, k) => [k, n]))}) v(k, name)`);

  const enrichmentRows = Object.entries(DEMO_ENRICHMENT_VALUES).flatMap(([category, byGroup]) =>
    PRODUCT_GROUPS.flatMap((g) => (byGroup[g] ?? byGroup['*'] ?? []).map((value, k, all) => [category, g, k, all.length, value])));
  add(`create temp table seed_enrichment_value as select * from (values
  ${values(enrichmentRows)}
) v(category, grp, k, cnt, value)`);

  add(`create temp table seed_team_category as select * from (values
  ${values(DEMO_TEAMS.flatMap((t, k) => t.enrichment.flatMap((c, f) => (c === '' ? [] : [[k, f + 1, c]]))))}
) v(t, f, category)`);

  add(`create temp table seed_reason as select * from (values
  ${values(REASON_TYPES.map((r, k) => [k, r, DEMO_REASON_COMMENTS[r] ?? r]))}
) v(r, reason_type, comment)`);

  return statements;
}
