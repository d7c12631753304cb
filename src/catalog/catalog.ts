import { insightsCatalog } from './insights-catalog.js';
import { tokenflexCatalog } from './tokenflex-catalog.js';
import type { ApiName, Catalog, UsageCategory } from './types.js';
import { LEGACY_USAGE_CATEGORIES, USAGE_CATEGORIES } from './types.js';

/** The catalogue of one API family. */
export function catalogFor(api: ApiName): Catalog {
  return api === 'insights' ? insightsCatalog : tokenflexCatalog;
}

/**
 * A catalogue in which each alias (e.g. a contract's enrichment category name `Geo`) names the same
 * field as its target (`customField1`), under the alias's own name: a result column is named as the
 * request named it (spec §4). An alias that is already a field name, or whose target is no field,
 * is ignored. The alias text comes from stored contract data, never from the request; in SQL it is
 * only ever a quoted column alias.
 */
export function withFieldAliases(catalog: Catalog, aliases: Readonly<Record<string, string>>): Catalog {
  const entries = Object.entries(aliases);
  if (entries.length === 0) return catalog;
  const fields = new Map(catalog.fields);
  for (const [alias, target] of entries) {
    const field = catalog.fields.get(target);
    if (!field || fields.has(alias) || catalog.metrics.has(alias)) continue;
    fields.set(alias, Object.freeze({ ...field, name: alias, description: `${field.description} (${alias} is this contract's name for ${target}.)` }));
  }
  return Object.freeze({ ...catalog, fields });
}

/** The `customFieldN` alias map of a contract's enrichment category names (position i = customField{i+1}; blanks skipped). */
export function enrichmentAliases(categories: readonly string[]): Readonly<Record<string, string>> {
  const aliases: Record<string, string> = {};
  categories.forEach((name, i) => {
    const trimmed = name.trim();
    if (trimmed !== '' && !(trimmed in aliases)) aliases[trimmed] = `customField${i + 1}`;
  });
  return Object.freeze(aliases);
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
