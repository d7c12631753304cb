import type {
  ApiName, Catalog, CatalogTable, FieldDef, FieldType, JoinName, MetricDef, MetricType, SqlByDialect, UsageCategory,
} from './types.js';
import { USAGE_CATEGORIES } from './types.js';

export interface FieldSpec {
  readonly type: FieldType;
  readonly description: string;
  /** One expression for both dialects, or one per dialect. */
  readonly sql: string | SqlByDialect;
  /** Defaults to `sql`; set it where the output is formatted text but comparison needs the column. */
  readonly filterSql?: string | SqlByDialect;
  readonly filterable?: boolean;
  readonly sessionLevel?: boolean;
  readonly usageCategories?: readonly UsageCategory[];
  readonly enumValues?: readonly string[];
  readonly personal?: boolean;
  /** Free text a file neutralises against formula injection; by default every `string` field is. */
  readonly freeText?: boolean;
  readonly joins?: readonly JoinName[];
}

export interface MetricSpec {
  readonly type: MetricType;
  readonly description: string;
  readonly sql: string | SqlByDialect;
  readonly usageCategories?: readonly UsageCategory[];
  readonly joins?: readonly JoinName[];
}

function bothDialects(sql: string | SqlByDialect): SqlByDialect {
  return Object.freeze(typeof sql === 'string' ? { duckdb: sql, postgres: sql } : { ...sql });
}

/** Builds a frozen catalogue from plain specs, filling the defaults once. */
export function defineCatalog(
  api: ApiName,
  fields: Readonly<Record<string, FieldSpec>>,
  metrics: Readonly<Record<string, MetricSpec>>,
  table?: CatalogTable,
): Catalog {
  const fieldMap = new Map<string, FieldDef>();
  for (const [name, spec] of Object.entries(fields)) {
    fieldMap.set(name, Object.freeze({
      name,
      type: spec.type,
      description: spec.description,
      sql: bothDialects(spec.sql),
      filterSql: bothDialects(spec.filterSql ?? spec.sql),
      filterable: spec.filterable ?? !spec.sessionLevel,
      sessionLevel: spec.sessionLevel ?? false,
      usageCategories: Object.freeze([...(spec.usageCategories ?? USAGE_CATEGORIES)]),
      ...(spec.enumValues ? { enumValues: Object.freeze([...spec.enumValues]) } : {}),
      personal: spec.personal ?? false,
      freeText: spec.freeText ?? spec.type === 'string',
      joins: Object.freeze([...(spec.joins ?? [])]),
    }));
  }
  const metricMap = new Map<string, MetricDef>();
  for (const [name, spec] of Object.entries(metrics)) {
    metricMap.set(name, Object.freeze({
      name,
      type: spec.type,
      description: spec.description,
      sql: bothDialects(spec.sql),
      usageCategories: Object.freeze([...(spec.usageCategories ?? USAGE_CATEGORIES)]),
      joins: Object.freeze([...(spec.joins ?? [])]),
    }));
  }
  return Object.freeze({ api, fields: fieldMap, metrics: metricMap, ...(table ? { table } : {}) });
}
