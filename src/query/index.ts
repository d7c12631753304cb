// The public surface of the query area (STYLE.md §3): other areas import from here only.
export { compileUsageQuery } from './compile-usage-query.js';
export type {
  CompiledColumn, CompiledQuery, ParameterValue, PlannedOrder, ResolvedFilter, UsageQueryPlan, UsageQueryScope,
  UsageQuerySpec,
} from './compiler/index.js';
export { planUsageQuery } from './compiler/index.js';
export type { FilterNode, OrderByItemNode } from './ast/index.js';
export { parseFilter, parseOrderBy } from './parser/index.js';
