import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { denialsCatalog, describeCatalog, enrichmentAliases, flexlmSessionsCatalog, tokenflexCatalog, type Catalog } from '../../../catalog/index.js';
import { compileUsageQuery, planUsageQuery } from '../../../query/index.js';
import { AppError } from '../../../errors.js';
import { useErrorFamily } from '../../errors/index.js';
import { useLenientJsonBodies, useLenientQuery } from '../../lenient-requests.js';
import { principalOf, requireBearerToken, type AuthOptions } from '../../plugins/auth.js';
import type { UsageQueryService } from '../../../jobs/index.js';
import type { ScheduleService, TokenflexExportService } from '../../../exports/index.js';
import { registerTokenflexSchedules } from './schedules.js';
import { registerTokenflexExports } from './exports.js';
import { registerTokenflexQueries } from './queries.js';
import {
  catalogRoute, contractRoute, contractsRoute, denialsCatalogRoute, denialsQueryRoute, enrichmentRoute, MAX_DENIAL_ROWS, enrichmentValuesRoute, lastRoute,
  sessionsCatalogRoute, sessionsQueryRoute, summaryRoute, valuesRoute,
} from './schemas.js';
import { normaliseUsageCategory } from '../../../catalog/index.js';
import { personalDataMask } from '../../../privacy/index.js';
import type { UsageValueColumn } from '../../../store/index.js';

export interface TokenflexOptions extends AuthOptions {
  readonly queries: UsageQueryService;
  /** The submit hold (spec §4: a query that finishes within it answers DONE inline), in milliseconds; 0: none. */
  readonly submitHoldMs: number;
  readonly tokenflexExports?: TokenflexExportService;
  readonly schedules?: ScheduleService;
}

/** Token Flex API (`/tokenflex/v1`, spec §4). */
export const tokenflexRoutes: FastifyPluginAsync<TokenflexOptions> = async (app, options) => {
  useErrorFamily(app, 'tokenflex');
  useLenientQuery(app);
  useLenientJsonBodies(app);
  requireBearerToken(app, options);

  const catalog = describeCatalog(tokenflexCatalog);
  app.get('/catalog', { schema: catalogRoute }, async () => catalog);

  app.get('/contract', { schema: contractsRoute }, async (request) => {
    const principal = principalOf(request);
    return principal.user ? options.store.listManagedContracts(principal.user.id) : [];
  });

  app.get<{ Params: { contract_number: string } }>('/contract/:contract_number', { schema: contractRoute }, async (request) => {
    const contractNumber = request.params.contract_number;
    await principalOf(request).assertContract(contractNumber);
    const detail = await options.store.getContractDetail(contractNumber);
    // A managed contract that vanished between the two reads.
    if (!detail) throw new AppError('NOT_FOUND', `Contract ${contractNumber} does not exist.`);
    return detail;
  });

  app.get<{ Params: { contract_number: string; field: keyof typeof VALUE_COLUMNS }; Querystring: { usageCategory?: string[] } }>(
    '/contract/:contract_number/:field', { schema: valuesRoute }, async (request) => {
      const { contract_number: contractNumber, field } = request.params;
      await principalOf(request).assertContract(contractNumber);
      const [values, mask] = await Promise.all([
        options.store.listUsageValues(contractNumber, VALUE_COLUMNS[field], parseCategories(request.query.usageCategory)),
        personalDataMask(options.store, [field]),
      ]);
      // userName and machineName are personal data: hashed (and re-sorted) while the switch hides them.
      return mask ? values.map((value) => String(mask([value])[0])).sort() : values;
    });

  app.get<{ Params: { contract_number: string } }>('/contract/:contract_number/enrichment', { schema: enrichmentRoute }, async (request) => {
    const contractNumber = request.params.contract_number;
    await principalOf(request).assertContract(contractNumber);
    return (await options.store.getEnrichmentCategories(contractNumber)) ?? [];
  });

  app.get<{ Params: { contract_number: string; category: string } }>('/contract/:contract_number/enrichment/:category', { schema: enrichmentValuesRoute }, async (request) => {
    const { contract_number: contractNumber, category } = request.params;
    await principalOf(request).assertContract(contractNumber);
    const names = (await options.store.getEnrichmentCategories(contractNumber)) ?? [];
    const byField = /^customField([1-9]|10)$/.exec(category);
    const index = byField ? Number(byField[1]) - 1 : names.findIndex((name) => name !== '' && name.toLowerCase() === category.toLowerCase());
    if (index < 0) {
      throw new AppError('NOT_FOUND', `Contract ${contractNumber} has no enrichment category "${category}"; its categories are ${names.filter(Boolean).map((n) => `"${n}"`).join(', ') || 'none'}.`);
    }
    return options.store.listUsageValues(contractNumber, `custom_field_${index + 1}` as UsageValueColumn);
  });

  app.get<{ Params: { contract_number: string }; Querystring: { minUsageMonth?: string; maxUsageMonth?: string; contractYear?: number; usageCategory?: string[] } }>(
    '/usage/:contract_number/summary', { schema: summaryRoute }, async (request) => {
      const contractNumber = request.params.contract_number;
      await principalOf(request).assertContract(contractNumber);
      const { minUsageMonth, maxUsageMonth, contractYear, usageCategory } = request.query;
      const categories = parseCategories(usageCategory);
      return options.store.summarizeUsage(contractNumber, {
        ...(minUsageMonth ? { minUsageMonth: firstOfMonth(minUsageMonth) } : {}),
        ...(maxUsageMonth ? { maxUsageMonth: firstOfMonth(maxUsageMonth) } : {}),
        ...(contractYear !== undefined ? { contractYear } : {}),
        ...(categories ? { usageCategories: categories } : {}),
      });
    });

  app.get<{ Params: { contract_number: string } }>('/usage/:contract_number/last', { schema: lastRoute }, async (request) => {
    const contractNumber = request.params.contract_number;
    await principalOf(request).assertContract(contractNumber);
    return options.store.listLastUsage(contractNumber);
  });

  /** A query of one of our own catalogues (denials, FlexNet sessions), answered inline. */
  const inlineQuery = (catalog: Catalog, usageCategories: readonly string[] | undefined) =>
    async (request: FastifyRequest<InlineQuery>) => {
      const contractNumber = request.params.contract_number;
      await principalOf(request).assertContract(contractNumber);
      const body = request.body ?? {};
      const plan = planUsageQuery({
        fields: body.fields ?? [], metrics: body.metrics ?? [], where: body.where ?? '', orderBy: body.orderBy ?? '',
        scope: { kind: 'contract', contractNumber }, purpose: 'query', ...(usageCategories ? { usageCategories } : {}),
      }, catalog);
      const compiled = compileUsageQuery(plan, options.store.backend);
      const mask = await personalDataMask(options.store, compiled.columns.map((c) => c.name));
      const rows: unknown[][] = [];
      const abort = new AbortController();
      // Counts come back as bigint or numeric text, depending on the database: numbers in the answer.
      const numeric = compiled.columns.map((c) => c.type === 'integer' || c.type === 'number');
      for await (const raw of options.store.streamRows(compiled, abort.signal)) {
        const row = raw.map((value, i) => (numeric[i] && value !== null ? Number(value) : value));
        if (rows.length === MAX_DENIAL_ROWS) {
          abort.abort();
          throw new AppError('QUERY_INVALID', `The query answers more than ${MAX_DENIAL_ROWS} rows; group by fewer or coarser fields, or filter with where.`);
        }
        rows.push(mask ? mask(row) : row);
      }
      return { columns: compiled.columns.map((c) => ({ name: c.name, type: c.type })), rows };
    };

  const denials = describeCatalog(denialsCatalog);
  app.get('/denials/catalog', { schema: denialsCatalogRoute }, async () => denials);
  app.post<InlineQuery>(
    '/denials/:contract_number/query', { schema: denialsQueryRoute }, inlineQuery(denialsCatalog, undefined));

  const sessions = describeCatalog(flexlmSessionsCatalog);
  app.get('/sessions/catalog', { schema: sessionsCatalogRoute }, async () => sessions);
  app.post<InlineQuery>(
    '/sessions/:contract_number/query', { schema: sessionsQueryRoute }, inlineQuery(flexlmSessionsCatalog, ['DESKTOP_PRODUCT']));

  // A contract's enrichment category names work as aliases of their customFieldN (spec §4).
  const aliasesOf = async (contractNumber: string) => enrichmentAliases(await options.store.getEnrichmentCategories(contractNumber) ?? []);
  registerTokenflexQueries(app, options.queries, options.submitHoldMs, aliasesOf);
  if (options.tokenflexExports) registerTokenflexExports(app, options.tokenflexExports, aliasesOf);
  if (options.schedules) registerTokenflexSchedules(app, options.schedules);
};

/** A query of one of our own catalogues, answered inline (denials, FlexNet sessions). */
interface InlineQuery {
  Params: { contract_number: string };
  Body: { fields?: string[]; metrics?: string[]; where?: string; orderBy?: string } | undefined;
}

/** `:field` of `GET /contract/:c/:field` → its usage column. */
const VALUE_COLUMNS = {
  productName: 'product_name',
  userName: 'user_name',
  machineName: 'machine_name',
  licenseServerName: 'license_server_name',
} as const satisfies Record<string, UsageValueColumn>;

/** Usage categories from a query string (repeated or comma-separated, legacy names accepted). */
function parseCategories(values: readonly string[] | undefined): string[] | undefined {
  if (!values || values.length === 0) return undefined;
  return values.flatMap((value) => value.split(',')).filter(Boolean).map((name) => {
    const category = normaliseUsageCategory(name);
    if (!category) throw new AppError('REQUEST_INVALID', `"${name}" is not a usage category.`, { errors: [{ path: 'querystring/usageCategory', message: 'is not a usage category' }] });
    return category;
  });
}

/** `2025-03` or `2025-03-01` → `2025-03-01`, rejecting impossible months. */
function firstOfMonth(value: string): string {
  const date = `${value.slice(0, 7)}-01`;
  const month = Number(value.slice(5, 7));
  if (month < 1 || month > 12) throw new AppError('REQUEST_INVALID', `"${value}" is not a month.`);
  return date;
}
