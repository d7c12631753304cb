/** The two API families whose fields and metrics this catalogue describes. */
export type ApiName = 'insights' | 'tokenflex';

/** The dialects the query compiler targets. */
export type Dialect = 'duckdb' | 'postgres';

/**
 * Value types of a field. A filter literal must match: `string` and `enum` take a quoted string,
 * `integer`/`number` a number, `date` a quoted `'YYYY-MM-DD'`, `datetime` a quoted ISO date-time,
 * `boolean` TRUE/FALSE.
 */
export type FieldType = 'string' | 'enum' | 'integer' | 'number' | 'date' | 'datetime' | 'boolean';

export const USAGE_CATEGORIES = [
  'DESKTOP_PRODUCT',
  'CLOUD_PRODUCT',
  'CLOUD_SERVICE',
  'MANUAL_ADJUSTMENT',
  'MANUAL_CONSUMPTION',
] as const;
export type UsageCategory = (typeof USAGE_CATEGORIES)[number];

/** Legacy Token Flex names, accepted as input and mapped to today's names. */
export const LEGACY_USAGE_CATEGORIES: Readonly<Record<string, UsageCategory>> = Object.freeze({
  PRODUCT_CONSUMPTION: 'DESKTOP_PRODUCT',
  CLOUD_CONSUMPTION: 'CLOUD_SERVICE',
  CLOUD_PRODUCT_CONSUMPTION: 'CLOUD_PRODUCT',
});

export const CHARGE_CATEGORIES = ['CASUAL', 'INCREMENTAL', 'CHARGED', 'FREE', 'N/A'] as const;
export type ChargeCategory = (typeof CHARGE_CATEGORIES)[number];
/** Flex desktop sessions shorter than this many minutes rate CASUAL unless configured otherwise (spec §6). */
export const DEFAULT_CASUAL_THRESHOLD_MINUTES = 5;

export const TOKEN_POOLS = ['CY', 'MY'] as const;
export const USAGE_TYPES = ['Normal', 'Borrowed'] as const;
export const SOURCES = ['sus', 'ppu', 'flex'] as const;

/** A user's account status (users.status). */
export const USER_STATUSES = ['active', 'inactive'] as const;
export const JOB_STATUSES = ['Success', 'Failed'] as const;
export const REASON_TYPES = ['CORRECTION', 'REFUND', 'SERVICE_CREDIT', 'OFFLINE_USAGE'] as const;

/**
 * Tables a catalogue expression may need besides the usage records (alias `r`).
 * `users` is joined as `u` on `u.id = r.user_id`, `teams` as `t` on `t.id = r.team_id`.
 */
export type JoinName = 'users' | 'teams';

/** A SQL expression per dialect, written by us over the aliases `r`, `u`, `t`. Never user text. */
export type SqlByDialect = Readonly<Record<Dialect, string>>;

export interface FieldDef {
  readonly name: string;
  readonly type: FieldType;
  readonly description: string;
  /** The value as it appears in a result row (dates as 'YYYY-MM-DD' text, timestamps as ISO text). */
  readonly sql: SqlByDialect;
  /**
   * The expression a `where` or `orderBy` compares against: the native column, so the database can
   * use its statistics and indexes. Dates and timestamps compare as DATE/TIMESTAMP here.
   */
  readonly filterSql: SqlByDialect;
  /** May appear in a `where` clause. */
  readonly filterable: boolean;
  /** Session/transaction-level field: export only, needs an explicit usage category. */
  readonly sessionLevel: boolean;
  /** Usage categories the field has values for; every category when it applies to all. */
  readonly usageCategories: readonly UsageCategory[];
  /** Closed list of values for `enum` fields (`LIKE` is refused on them). */
  readonly enumValues?: readonly string[];
  /** Personal data, hashed when the operator turns on pseudonymisation. */
  readonly personal: boolean;
  /** Free text (names, custom fields): neutralised against formula injection in files; typed values are not. */
  readonly freeText: boolean;
  readonly joins: readonly JoinName[];
}

export type MetricType = 'integer' | 'number' | 'date';

export interface MetricDef {
  readonly name: string;
  readonly type: MetricType;
  readonly description: string;
  /** An aggregate expression per dialect. */
  readonly sql: SqlByDialect;
  readonly usageCategories: readonly UsageCategory[];
  readonly joins: readonly JoinName[];
}

/** The tables a catalogue's queries read (alias `r`). */
export type CatalogTable = 'usage_records' | 'license_denials';

export interface Catalog {
  readonly api: ApiName;
  /** What its queries read: the usage records, unless said otherwise (the FlexNet denials). */
  readonly table?: CatalogTable;
  readonly fields: ReadonlyMap<string, FieldDef>;
  readonly metrics: ReadonlyMap<string, MetricDef>;
}
