export type {
  ApiName, Catalog, CatalogTable, ChargeCategory, Dialect, FieldDef, FieldType, JoinName, MetricDef, MetricType,
  SqlByDialect, UsageCategory,
} from './types.js';
export {
  CHARGE_CATEGORIES, DEFAULT_CASUAL_THRESHOLD_MINUTES, JOB_STATUSES, LEGACY_USAGE_CATEGORIES, REASON_TYPES, SOURCES, TOKEN_POOLS,
  USAGE_CATEGORIES, USAGE_TYPES,
} from './types.js';
export { insightsCatalog } from './insights-catalog.js';
export { tokenflexCatalog } from './tokenflex-catalog.js';
export { denialsCatalog } from './denials-catalog.js';
export { flexlmSessionsCatalog } from './flexlm-sessions-catalog.js';
export { FORMULA_CELL_PATTERN, neutraliseFreeText, restoreFreeText } from './formula-cells.js';
export { catalogFor, describeCatalog, enrichmentAliases, normaliseUsageCategory, withFieldAliases } from './catalog.js';
