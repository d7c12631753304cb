import { accessToken } from '../../auth/auth';
import { api, must } from '../../api/client';
import { sentenceOf } from '../../api/errors';
import type { Cell } from '../../api/queries';

export type AdminList = '/admin/v1/users' | '/admin/v1/clients' | '/admin/v1/teams' | '/admin/v1/contracts' | '/admin/v1/products';

/** Every item of an admin list (pages of 1,000). */
export async function loadAll(path: AdminList): Promise<Record<string, Cell | readonly unknown[]>[]> {
  const items: Record<string, Cell | readonly unknown[]>[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await must(api.GET(path, { params: { query: { offset, limit: 1000 } } })) as { items: Record<string, Cell>[]; pagination: { totalResults: number } };
    items.push(...page.items);
    if (page.items.length < 1000 || items.length >= page.pagination.totalResults) return items;
  }
}

export interface ImportProgress { readonly sent: number; readonly total: number }
export type ImportOutcome =
  | { readonly ok: true; readonly records: number; readonly inserted: number; readonly duplicates: number; readonly rated: number; readonly dryRun: boolean }
  | { readonly ok: false; readonly message: string; readonly errors: readonly { readonly line?: number; readonly field?: string; readonly message: string }[]; readonly errorCount?: number };

/**
 * Sends a file to `POST /admin/v1/usage` with upload progress (XMLHttpRequest: fetch reports none).
 * The batch is all or nothing: a refused one answers every problem by line.
 */
export async function importUsage(file: File, options: { readonly dryRun: boolean; readonly contract: string }, onProgress: (progress: ImportProgress) => void): Promise<ImportOutcome> {
  const name = file.name.toLowerCase();
  const gzip = name.endsWith('.gz');
  const base = gzip ? name.slice(0, -3) : name;
  const type = base.endsWith('.csv') ? 'text/csv' : 'application/x-ndjson';
  const query = new URLSearchParams({ ...(options.dryRun ? { dryRun: 'true' } : {}), ...(options.contract ? { contract: options.contract } : {}) });
  const token = await accessToken();
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open('POST', `/admin/v1/usage${query.size ? `?${query.toString()}` : ''}`);
    request.setRequestHeader('authorization', `Bearer ${token}`);
    request.setRequestHeader('content-type', type);
    if (gzip) request.setRequestHeader('content-encoding', 'gzip');
    request.upload.onprogress = (event) => onProgress({ sent: event.loaded, total: event.lengthComputable ? event.total : file.size });
    request.onerror = () => resolve({ ok: false, message: sentenceOf(0, undefined), errors: [] });
    request.onload = () => {
      let body: Record<string, unknown> = {};
      try { body = JSON.parse(request.responseText) as Record<string, unknown>; } catch { /* not JSON: the status says it */ }
      if (request.status === 200) {
        resolve({ ok: true, ...(body as { records: number; inserted: number; duplicates: number; rated: number; dryRun: boolean }) });
        return;
      }
      resolve({
        ok: false, message: sentenceOf(request.status, body, undefined, request.getResponseHeader('x-request-id') ?? undefined),
        errors: (body.errors as { line?: number; field?: string; message: string }[] | undefined) ?? [],
        ...(typeof body.errorCount === 'number' ? { errorCount: body.errorCount } : {}),
      });
    };
    request.send(file);
  });
}

/** Creates (no key) or changes (PATCH, only the members given) a team; returns its name. */
export async function saveTeam(teamId: string | undefined, body: Record<string, unknown>): Promise<string> {
  const team = teamId
    ? await must(api.PATCH('/admin/v1/teams/{teamId}', { params: { path: { teamId } }, body: body as never }))
    : await must(api.POST('/admin/v1/teams', { body: body as never }));
  return `${team.name} (${team.teamId})`;
}

export async function saveContract(contractNumber: string | undefined, body: Record<string, unknown>): Promise<string> {
  const contract = contractNumber
    ? await must(api.PATCH('/admin/v1/contracts/{contractNumber}', { params: { path: { contractNumber } }, body: body as never }))
    : await must(api.POST('/admin/v1/contracts', { body: body as never }));
  return `${contract.contractName} (${contract.contractNumber})`;
}

export async function saveProduct(key: { readonly productLineCode: string; readonly version: string } | undefined, body: Record<string, unknown>): Promise<string> {
  const product = key
    ? await must(api.PATCH('/admin/v1/products/{productLineCode}/{version}', { params: { path: key }, body: body as never }))
    : await must(api.POST('/admin/v1/products', { body: body as never }));
  return `${product.productName} ${product.version}`;
}
