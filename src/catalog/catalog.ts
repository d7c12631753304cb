import { insightsCatalog } from './insights-catalog.js';
import { tokenflexCatalog } from './tokenflex-catalog.js';
import type { ApiName, Catalog, UsageCategory } from './types.js';
import { LEGACY_USAGE_CATEGORIES, USAGE_CATEGORIES } from './types.js';

/** The catalogue of one API family. */
export function catalogFor(api: ApiName): Catalog {
  return api === 'insights' ? insightsCatalog : tokenflexCatalog;
}

/** Today's name of a usage category, accepting the legacy Token Flex names; undefined if unknown. */
export function normaliseUsageCategory(name: string): UsageCategory | undefined {
  const upper = name.toUpperCase();
  if ((USAGE_CATEGORIES as readonly string[]).includes(upper)) return upper as UsageCategory;
  return LEGACY_USAGE_CATEGORIES[upper];
}

/** The public view of a catalogue (no SQL), as served by `GET /<api>/v1/catalog`. */
export function describeCatalog(catalog: Catalog) {
  return {
    fields: [...catalog.fields.values()].map((f) => ({
      name: f.name,
      type: f.type,
      description: f.description,
      filterable: f.filterable,
      sessionLevel: f.sessionLevel,
      usageCategories: [...f.usageCategories],
      ...(f.enumValues ? { enumValues: [...f.enumValues] } : {}),
    })),
    metrics: [...catalog.metrics.values()].map((m) => ({
      name: m.name,
      type: m.type,
      description: m.description,
      usageCategories: [...m.usageCategories],
    })),
  };
}
