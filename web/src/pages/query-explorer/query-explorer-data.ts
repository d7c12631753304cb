import { api, must } from '../../api/client';
import { ApiError } from '../../api/errors';
import { runInsightsQuery, runTokenflexQuery, type QueryResult } from '../../api/queries';

export type ApiName = 'insights' | 'tokenflex';

export interface CatalogEntry {
  readonly name: string; readonly type: string; readonly description: string; readonly filterable?: boolean; readonly sessionLevel?: boolean;
}
export interface Catalog { readonly fields: readonly CatalogEntry[]; readonly metrics: readonly CatalogEntry[] }

export interface ExplorerQuery {
  readonly api: ApiName;
  /** A team (Insights, '' = every team) or a contract (Token Flex). */
  readonly scope: string;
  readonly fields: readonly string[];
  readonly metrics: readonly string[];
  readonly where: string;
}

export async function loadCatalog(apiName: ApiName): Promise<Catalog> {
  const catalog = apiName === 'insights' ? await must(api.GET('/insights/v1/catalog')) : await must(api.GET('/tokenflex/v1/catalog'));
  // Session-level fields are for exports only; the explorer runs queries.
  return { fields: catalog.fields.filter((f) => !f.sessionLevel), metrics: catalog.metrics };
}

export interface WhereProblem {
  readonly message: string;
  readonly snippet?: string;
  readonly position?: { readonly start: number; readonly end: number; readonly line: number; readonly column: number };
  /** The fix the service suggests (`did you mean …`), when it names one. */
  readonly suggestion?: string;
}

/** Checks a query through the API (nothing runs); undefined when it is valid. */
export async function checkQuery(query: ExplorerQuery): Promise<WhereProblem | undefined> {
  const body = { fields: [...query.fields], metrics: [...query.metrics], where: query.where };
  try {
    if (query.api === 'insights') {
      await must(api.POST('/insights/v1/usage-queries/check', { body: { ...body, ...(query.scope ? { contextId: query.scope } : {}) } }));
    } else {
      await must(api.POST('/tokenflex/v1/usage/{contract_number}/query/check', { params: { path: { contract_number: query.scope } }, body }));
    }
    return undefined;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 400) throw error;
    const raw = (error.body ?? {}) as { snippet?: string; position?: WhereProblem['position'] };
    const suggestion = /did you mean [`'"]([^`'"]+)[`'"]/i.exec(error.message)?.[1];
    return {
      message: error.message,
      ...(raw.snippet ? { snippet: raw.snippet } : {}),
      ...(raw.position ? { position: raw.position } : {}),
      ...(suggestion ? { suggestion } : {}),
    };
  }
}

export function runQuery(query: ExplorerQuery): Promise<QueryResult> {
  const body = { fields: query.fields, metrics: query.metrics, ...(query.where.trim() ? { where: query.where } : {}) };
  return query.api === 'insights'
    ? runInsightsQuery({ ...body, ...(query.scope ? { contextId: query.scope } : {}) })
    : runTokenflexQuery(query.scope, body);
}

/** The submit request of a query, as sent: path and JSON body. */
export function requestOf(query: ExplorerQuery, origin: string): { readonly url: string; readonly body: string } {
  const body: Record<string, unknown> = { fields: query.fields, metrics: query.metrics };
  if (query.where.trim()) body.where = query.where;
  if (query.api === 'insights') {
    if (query.scope) body.contextId = query.scope;
    return { url: `${origin}/insights/v1/usage-queries`, body: JSON.stringify(body) };
  }
  return { url: `${origin}/tokenflex/v1/usage/${encodeURIComponent(query.scope)}/query`, body: JSON.stringify(body) };
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The exact request as a curl command; the token comes from $TOKEN (e.g. `npx insights token --user …`). */
export function asCurl(query: ExplorerQuery, origin: string): string {
  const { url, body } = requestOf(query, origin);
  return [`curl -s -X POST ${shellQuote(url)}`, `-H "Authorization: Bearer $TOKEN"`, `-H 'Content-Type: application/json'`, `-H 'Prefer: wait=30'`, `-d ${shellQuote(body)}`].join(' \\\n  ');
}

/** The exact request as Python (requests), polling until the result is ready. */
export function asPython(query: ExplorerQuery, origin: string): string {
  const { url, body } = requestOf(query, origin);
  const done = query.api === 'insights' ? 'COMPLETED' : 'DONE';
  const status = query.api === 'insights' ? `f"${url}/{answer['id']}"` : `"${origin}" + answer["detail_uri"]`;
  return `import json, os, time
import requests

headers = {"Authorization": "Bearer " + os.environ["TOKEN"]}
body = json.loads(${JSON.stringify(body)})
answer = requests.post(${JSON.stringify(url)}, json=body, headers=headers).json()
while answer["status"] not in ("${done}", "ERROR", "FAILED", "TIMEOUT", "EXPIRED"):
    time.sleep(1)
    answer = requests.get(${status}, headers=headers).json()
print(json.dumps(answer, indent=2))
`;
}
