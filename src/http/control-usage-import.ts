import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors.js';
import { ingestFlexlmLog, ingestTokenflexExport, ingestUsage, type UsageFormat } from '../ingest/index.js';
import type { Store, UsageIngestSummary } from '../store/index.js';

/** Watches an ingestion batch to its end (the metrics count batches and records); passes it on. */
export type IngestObserver = (batch: Promise<UsageIngestSummary>) => Promise<UsageIngestSummary>;

/**
 * `POST /usage?format=ndjson|csv[&dryRun=true][&contract=C]` (or `?source=tokenflex-export|flexlm&contract=C&name=FILE`,
 * flexlm with `&server=S&offset=±HH:MM[&rateAs=flex]`) on the control socket: `insights
 * import` while the server holds the database. The file streams through to the same ingestion as
 * `POST /admin/v1/usage`, never held whole. Answers `{result: summary}` or, for a bad batch,
 * `{error, code, errors, errorCount, invalidLines}`.
 */
export async function importUsageFromSocket(
  request: IncomingMessage, store: Store, observe: IngestObserver = (batch) => batch,
): Promise<{ status: number; body: unknown }> {
  // The query string only, read as text: the target is never parsed with `new URL(target, base)` (spec §1 Paths).
  const target = request.url ?? '/';
  const query = new URLSearchParams(target.includes('?') ? target.slice(target.indexOf('?') + 1) : '');
  const format = query.get('format');
  const source = query.get('source');
  if (!source && format !== 'ndjson' && format !== 'csv') return { status: 400, body: { error: 'format must be ndjson or csv' } };
  try {
    const contract = query.get('contract');
    const dryRun = query.get('dryRun') === 'true';
    if (source) {
      const file = query.get('name') ?? 'body';
      if (!contract) return { status: 400, body: { error: '--contract is required with --source' } };
      if (source === 'tokenflex-export') {
        return { status: 200, body: { result: await observe(ingestTokenflexExport(store, request, { contractNumber: contract, file, dryRun })) } };
      }
      if (source !== 'flexlm') return { status: 400, body: { error: 'source must be tokenflex-export or flexlm' } };
      const rateAs = query.get('rateAs') === 'flex' ? 'flex' : 'sus';
      const log = { name: file, open: () => request };
      const result = await observe(ingestFlexlmLog(store, [log], {
        server: query.get('server') ?? '', offset: query.get('offset') ?? '', contractNumber: contract, dryRun, rateAs,
      }));
      return { status: 200, body: { result } };
    }
    const result = await observe(ingestUsage(store, request, {
      format: format as UsageFormat, dryRun, ...(contract ? { defaultContractNumber: contract } : {}),
    }));
    return { status: 200, body: { result } };
  } catch (error) {
    if (!AppError.is(error)) return { status: 500, body: { error: 'internal error' } };
    return { status: 400, body: { error: error.message, code: error.code, ...(error.extra ?? {}) } };
  }
}
