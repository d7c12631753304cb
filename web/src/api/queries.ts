import { api, must } from './client';
import { ApiError } from './errors';

export type Cell = string | number | boolean | null;
export interface QueryResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

export interface InsightsQuery {
  readonly fields: readonly string[];
  readonly metrics: readonly string[];
  readonly where?: string;
  readonly orderBy?: string;
  readonly contextId?: string;
}

/** The usage-category names the Token Flex body schema takes (an enum in /openapi.json since issue 19 item 11). */
type TokenflexUsageCategory = 'DESKTOP_PRODUCT' | 'CLOUD_PRODUCT' | 'CLOUD_SERVICE' | 'MANUAL_ADJUSTMENT' | 'MANUAL_CONSUMPTION';

export interface TokenflexQuery {
  readonly fields: readonly string[];
  readonly metrics: readonly string[];
  readonly where?: string;
  readonly usageCategory?: readonly string[];
}

/** Pages of 1,000 (the APIs' maximum), three at a time; a result this large is what a console shows. */
const PAGE = 1000;
const MAX_ROWS = 200_000;
/** The submit and status reads hold the answer until the query is done (Prefer: wait, RFC 7240). */
const WAIT = { prefer: 'wait=30' };

async function allPages(total: number, first: readonly (readonly Cell[])[], page: (offset: number) => Promise<readonly (readonly Cell[])[]>) {
  const rows = [...first];
  const offsets: number[] = [];
  for (let offset = first.length; offset < Math.min(total, MAX_ROWS); offset += PAGE) offsets.push(offset);
  for (let i = 0; i < offsets.length; i += 3) {
    const pages = await Promise.all(offsets.slice(i, i + 3).map(page));
    for (const part of pages) rows.push(...part);
  }
  return rows;
}

function failed(status: string, error?: { title?: string; detail?: string }): never {
  throw new ApiError(400, error?.detail ? `${error.detail}` : `The query ended ${status}.`);
}

/**
 * Results of the last minute, by request: pages ask the same question for a tile and a chart, and
 * a tab switched back to should not wait again. (The service also answers a repeated query from its
 * stored result; this saves the round trips.)
 */
const recent = new Map<string, { readonly at: number; readonly result: Promise<QueryResult> }>();

function remembered(key: string, run: () => Promise<QueryResult>): Promise<QueryResult> {
  const now = Date.now();
  const hit = recent.get(key);
  if (hit && now - hit.at < 60_000) return hit.result;
  const result = run();
  recent.set(key, { at: now, result });
  result.catch(() => recent.delete(key));
  if (recent.size > 200) recent.delete(recent.keys().next().value!);
  return result;
}

/** Runs an Insights usage query to the end and reads every row of its result. */
export function runInsightsQuery(query: InsightsQuery): Promise<QueryResult> {
  return remembered(JSON.stringify(['insights', query]), () => insightsQuery(query));
}

/** Runs a Token Flex usage query of a contract to the end and reads every row of its result. */
export function runTokenflexQuery(contractNumber: string, query: TokenflexQuery): Promise<QueryResult> {
  return remembered(JSON.stringify(['tokenflex', contractNumber, query]), () => tokenflexQuery(contractNumber, query));
}

type InsightsAnswer = { id: string; status: string; columns?: string[]; rows?: Cell[][]; pagination?: { totalResults: number }; error?: { title?: string; detail?: string } };

/** Submits an Insights query and waits for it: the completed answer, with the first `limit` rows. */
async function completedInsightsQuery(query: InsightsQuery, limit: number): Promise<InsightsAnswer & { status: 'COMPLETED' }> {
  const { contextId, ...body } = query;
  let answer = await must(api.POST('/insights/v1/usage-queries', {
    params: { query: { limit, ...(contextId ? { contextId } : {}) }, header: WAIT },
    body: { ...body, fields: [...body.fields], metrics: [...body.metrics] },
  })) as InsightsAnswer;
  while (answer.status === 'SUBMITTED' || answer.status === 'RUNNING') {
    answer = await must(api.GET('/insights/v1/usage-queries/{queryId}', {
      params: { path: { queryId: answer.id }, query: { offset: 0, limit }, header: WAIT },
    })) as InsightsAnswer;
  }
  if (answer.status !== 'COMPLETED') failed(answer.status, answer.error);
  return answer as InsightsAnswer & { status: 'COMPLETED' };
}

async function readInsightsPage(id: string, offset: number, limit: number): Promise<Cell[][]> {
  const page = await must(api.GET('/insights/v1/usage-queries/{queryId}', { params: { path: { queryId: id }, query: { offset, limit } } })) as InsightsAnswer;
  return page.rows ?? [];
}

async function insightsQuery(query: InsightsQuery): Promise<QueryResult> {
  const answer = await completedInsightsQuery(query, PAGE);
  const rows = await allPages(answer.pagination?.totalResults ?? 0, answer.rows ?? [], (offset) => readInsightsPage(answer.id, offset, PAGE));
  return { columns: answer.columns ?? [], rows };
}

export interface QueryPage extends QueryResult {
  /** Rows of the whole result. */
  readonly total: number;
}

/** Submitted paged queries of the last minute: their id, columns, size and first page. */
const submitted = new Map<string, { readonly at: number; readonly answer: Promise<InsightsAnswer> }>();

/**
 * One page of an Insights query's result, in the query's `orderBy` order: the query runs once (its
 * submit answers with the first page), and every other page is one read of its stored result, so a
 * result of thousands of rows is never fetched whole. The submit is remembered for a minute, so
 * paging reads pages of the same result.
 */
export async function insightsQueryPage(query: InsightsQuery, offset: number, limit: number): Promise<QueryPage> {
  const key = JSON.stringify([query, limit]);
  const now = Date.now();
  let hit = submitted.get(key);
  if (!hit || now - hit.at >= 60_000) {
    hit = { at: now, answer: completedInsightsQuery(query, limit) };
    submitted.set(key, hit);
    hit.answer.catch(() => submitted.delete(key));
    if (submitted.size > 50) submitted.delete(submitted.keys().next().value!);
  }
  const answer = await hit.answer;
  const rows = offset === 0 ? answer.rows ?? [] : await readInsightsPage(answer.id, offset, limit);
  return { columns: answer.columns ?? [], rows, total: answer.pagination?.totalResults ?? 0 };
}

async function tokenflexQuery(contractNumber: string, query: TokenflexQuery): Promise<QueryResult> {
  type Answer = { id: string; status: string; result?: { columns: string[]; rows: Cell[][]; total: number }; error?: { title?: string; detail?: string } };
  let answer = await must(api.POST('/tokenflex/v1/usage/{contract_number}/query', {
    params: { path: { contract_number: contractNumber }, header: WAIT },
    body: { fields: [...query.fields], metrics: [...query.metrics], ...(query.where ? { where: query.where } : {}), ...(query.usageCategory ? { usageCategory: [...query.usageCategory] as TokenflexUsageCategory[] } : {}) },
  })) as Answer;
  const read = async (offset: number) => must(api.GET('/tokenflex/v1/usage/{contract_number}/query/{id}', {
    params: { path: { contract_number: contractNumber, id: answer.id }, query: { offset, limit: PAGE }, header: WAIT },
  })) as Promise<Answer>;
  if (answer.status === 'DONE' && answer.result && answer.result.rows.length < Math.min(answer.result.total, PAGE)) answer = await read(0);
  while (answer.status === 'QUEUED' || answer.status === 'PROCESSING') answer = await read(0);
  if (answer.status !== 'DONE' || !answer.result) failed(answer.status, answer.error);
  const result = answer.result;
  const rows = await allPages(result.total, result.rows, async (offset) => (await read(offset)).result?.rows ?? []);
  return { columns: result.columns, rows };
}

/** Rows as objects keyed by column name. */
export function recordsOf(result: QueryResult): Record<string, Cell>[] {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((column, i) => [column, row[i] ?? null])));
}

/** A `where` literal: a quoted string with quotes doubled (spec §5). */
export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
