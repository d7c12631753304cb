import type { ErrorDetail } from '../../errors.js';
import { AppError } from '../../errors.js';
import type { ApiName, Catalog, CatalogTable, FieldDef, JoinName, MetricDef, UsageCategory } from '../../catalog/index.js';
import { USAGE_CATEGORIES, normaliseUsageCategory, withFieldAliases } from '../../catalog/index.js';
import { createClauseError } from '../clause-error.js';
import { parseFilter, parseOrderBy } from '../parser/index.js';
import type { ResolvedFilter } from './resolve.js';
import { resolveFilter } from './resolve.js';
import { didYouMean, suggestName } from './suggest.js';

/** Who the query covers: teams (Insights contexts) or one Token Flex contract. */
export type UsageQueryScope =
  | { readonly kind: 'teams'; readonly teamIds: readonly string[] }
  | { readonly kind: 'contract'; readonly contractNumber: string };

/** A usage query or export as a request describes it, before any checking. */
export interface UsageQuerySpec {
  readonly fields: readonly string[];
  readonly metrics: readonly string[];
  /** The `where` clause; empty or absent for no filter. */
  readonly where?: string;
  /** `name [ASC|DESC], …` over the selected fields and metrics; empty or absent for none. */
  readonly orderBy?: string;
  /** Usage categories to cover; legacy Token Flex names are accepted. Absent or empty: all of them. */
  readonly usageCategories?: readonly string[];
  readonly scope: UsageQueryScope;
  readonly purpose: 'query' | 'export';
  /** Other names of catalogue fields (a contract's enrichment category names → `customFieldN`). */
  readonly fieldAliases?: Readonly<Record<string, string>>;
  /**
   * Hashes of personal values → the values, while the personal-data switch shows hashes: a personal
   * field compared with one of these hashes is compared with the value it stands for, so a user
   * picked from an answer's hashes can be filtered on (src/privacy: pseudonymsIn).
   */
  readonly pseudonyms?: Readonly<Record<string, string>>;
}

/** One `orderBy` item, mapped to the catalogue. */
export type PlannedOrder =
  | { readonly kind: 'field'; readonly field: FieldDef; readonly direction: 'asc' | 'desc' }
  | { readonly kind: 'metric'; readonly metric: MetricDef; readonly direction: 'asc' | 'desc' };

/** A checked usage query: everything the compiler needs, and nothing taken from request text but values. */
export interface UsageQueryPlan {
  readonly api: ApiName;
  /** What the query reads (absent: the usage records). */
  readonly table?: CatalogTable;
  readonly fields: readonly FieldDef[];
  readonly metrics: readonly MetricDef[];
  readonly filter?: ResolvedFilter;
  readonly usageCategories?: readonly UsageCategory[];
  readonly scope: UsageQueryScope;
  readonly orderBy: readonly PlannedOrder[];
  /** Tables to join besides the usage records, in a fixed order. */
  readonly joins: readonly JoinName[];
  readonly purpose: 'query' | 'export';
  /** True when a session-level field is selected: one row per session or transaction. */
  readonly sessionLevel: boolean;
}

const JOIN_ORDER: readonly JoinName[] = ['users', 'teams'];

/**
 * Checks a usage query against a catalogue (spec §4, §5) and returns a frozen plan. Throws
 * QUERY_INVALID (with `errors` naming each bad member), FILTER_* for the `where` clause, and
 * ORDER_BY_INVALID for the `orderBy` clause.
 */
export function planUsageQuery(spec: UsageQuerySpec, baseCatalog: Catalog): UsageQueryPlan {
  const catalog = spec.fieldAliases ? withFieldAliases(baseCatalog, spec.fieldAliases) : baseCatalog;
  const errors: ErrorDetail[] = [];
  if (spec.fields.length === 0 && spec.metrics.length === 0) {
    errors.push({ path: '/fields', message: 'a query needs at least one field or metric' });
  }
  const fields = pickNames(spec.fields, '/fields', 'field', catalog.fields, catalog.metrics, 'metrics', errors);
  const metrics = pickNames(spec.metrics, '/metrics', 'metric', catalog.metrics, catalog.fields, 'fields', errors);
  const usageCategories = pickCategories(spec.usageCategories, errors);

  const sessionFields = fields.filter(({ def }) => def.sessionLevel);
  if (sessionFields.length > 0 && spec.purpose === 'query') {
    for (const { def, path } of sessionFields) {
      errors.push({ path, message: `field '${def.name}' is session-level data, available through exports only` });
    }
  } else if (sessionFields.length > 0) {
    if (usageCategories === undefined) {
      errors.push({ path: '/usageCategories', message: 'a session-level export needs an explicit usage category' });
    } else if (usageCategories.length > 1) {
      errors.push({
        path: '/usageCategories',
        message: `a session-level export covers exactly one usage category, not ${usageCategories.join(', ')}`,
      });
    }
  }
  if (usageCategories !== undefined) {
    for (const { def, path, noun } of [...fields, ...metrics]) {
      if (!def.usageCategories.some((category) => usageCategories.includes(category))) {
        errors.push({
          path,
          message: `${noun} '${def.name}' has no data for usage category ${usageCategories.join(', ')} `
            + `(only ${def.usageCategories.join(', ')})`,
        });
      }
    }
  }
  if (errors.length > 0) {
    const first = errors[0]!.message;
    const more = errors.length - 1;
    const sentence = /[.?!]$/.test(first) ? capitalise(first) : `${capitalise(first)}.`;
    const message = more === 0
      ? sentence
      : `${capitalise(first)} (and ${more} more ${more === 1 ? 'problem' : 'problems'}; see errors).`;
    throw new AppError('QUERY_INVALID', message, { errors: Object.freeze(errors) });
  }

  const whereText = spec.where ?? '';
  const filter = resolveFilter(parseFilter(whereText), catalog, whereText, spec.pseudonyms);
  const orderBy = planOrderBy(spec.orderBy ?? '', fields.map(({ def }) => def), metrics.map(({ def }) => def));

  const joins = new Set<JoinName>();
  for (const { def } of [...fields, ...metrics]) def.joins.forEach((join) => joins.add(join));
  if (filter !== undefined) filterFields(filter).forEach((field) => field.joins.forEach((join) => joins.add(join)));

  return Object.freeze({
    api: catalog.api,
    ...(catalog.table ? { table: catalog.table } : {}),
    fields: Object.freeze(fields.map(({ def }) => def)),
    metrics: Object.freeze(metrics.map(({ def }) => def)),
    ...(filter === undefined ? {} : { filter }),
    ...(usageCategories === undefined ? {} : { usageCategories: Object.freeze(usageCategories) }),
    scope: Object.freeze(spec.scope.kind === 'teams'
      ? { kind: 'teams', teamIds: Object.freeze([...spec.scope.teamIds]) }
      : { kind: 'contract', contractNumber: spec.scope.contractNumber }),
    orderBy,
    joins: Object.freeze(JOIN_ORDER.filter((join) => joins.has(join))),
    purpose: spec.purpose,
    sessionLevel: sessionFields.length > 0,
  });
}

interface Picked<T> {
  readonly def: T;
  readonly path: string;
  readonly noun: 'field' | 'metric';
}

/** The catalogue entries of the requested names; unknown names and repeats go to `errors`. */
function pickNames<T extends FieldDef | MetricDef>(
  names: readonly string[],
  basePath: string,
  noun: 'field' | 'metric',
  entries: ReadonlyMap<string, T>,
  others: ReadonlyMap<string, unknown>,
  othersList: string,
  errors: ErrorDetail[],
): Picked<T>[] {
  const picked: Picked<T>[] = [];
  const seen = new Set<string>();
  names.forEach((name, index) => {
    const path = `${basePath}/${index}`;
    const def = entries.get(name);
    if (def === undefined) {
      const message = others.has(name)
        ? `'${name}' is not a ${noun}; list it in ${othersList}`
        : `unknown ${noun} '${name}'${didYouMean(suggestName(name, entries.keys()), "'")}`;
      errors.push({ path, message });
    } else if (seen.has(name)) {
      errors.push({ path, message: `duplicate ${noun} '${name}'` });
    } else {
      seen.add(name);
      picked.push({ def, path, noun });
    }
  });
  return picked;
}

/** Today's names of the requested categories, without repeats; undefined when none were given. */
function pickCategories(names: readonly string[] | undefined, errors: ErrorDetail[]): UsageCategory[] | undefined {
  if (names === undefined || names.length === 0) return undefined;
  const categories: UsageCategory[] = [];
  names.forEach((name, index) => {
    const category = normaliseUsageCategory(name);
    if (category === undefined) {
      errors.push({
        path: `/usageCategories/${index}`,
        message: `unknown usage category '${name}'${didYouMean(suggestName(name, USAGE_CATEGORIES), "'")} `
          + `(expected one of ${USAGE_CATEGORIES.join(', ')})`,
      });
    } else if (!categories.includes(category)) {
      categories.push(category);
    }
  });
  return categories.length === 0 ? undefined : categories;
}

/** The `orderBy` items; each must name a selected field or metric, once. */
function planOrderBy(source: string, fields: readonly FieldDef[], metrics: readonly MetricDef[]): readonly PlannedOrder[] {
  const planned: PlannedOrder[] = [];
  const seen = new Set<string>();
  for (const item of parseOrderBy(source)) {
    const { name, span } = item.field;
    if (seen.has(name)) {
      throw createClauseError('ORDER_BY_INVALID', `\`${name}\` appears more than once in orderBy.`, source, span);
    }
    seen.add(name);
    const field = fields.find((def) => def.name === name);
    const metric = metrics.find((def) => def.name === name);
    if (field !== undefined) {
      planned.push(Object.freeze({ kind: 'field', field, direction: item.direction }));
    } else if (metric !== undefined) {
      planned.push(Object.freeze({ kind: 'metric', metric, direction: item.direction }));
    } else {
      const selected = [...fields, ...metrics].map((def) => def.name);
      throw createClauseError(
        'ORDER_BY_INVALID',
        `orderBy can only sort by the selected fields and metrics, and \`${name}\` is not one of them${didYouMean(suggestName(name, selected))}`,
        source,
        span,
      );
    }
  }
  return Object.freeze(planned);
}

/** Every field a resolved filter tests (for the joins it needs). */
function filterFields(filter: ResolvedFilter): FieldDef[] {
  switch (filter.kind) {
    case 'And':
    case 'Or': return filter.operands.flatMap(filterFields);
    case 'Group': return filterFields(filter.expression);
    case 'Constant': return [];
    case 'Comparison':
    case 'In':
    case 'Like':
    case 'Between':
    case 'IsNull': return [filter.field];
    default: return filter satisfies never;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
