export type { CompiledColumn, CompiledQuery } from './compiled-query.js';
export type { PlannedOrder, UsageQueryPlan, UsageQueryScope, UsageQuerySpec } from './plan.js';
export { planUsageQuery } from './plan.js';
export { QueryCompiler } from './query-compiler.js';
export type { BoundValue, ParameterValue, ResolvedFilter, SqlComparisonOperator } from './resolve.js';
export { resolveFilter } from './resolve.js';
