import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors.js';
import { ingestUsage, type UsageFormat } from '../ingest/index.js';
import type { Store, UsageIngestSummary } from '../store/index.js';

/** Watches an ingestion batch to its end (the metrics count batches and records); passes it on. */
export type IngestObserver = (batch: Promise<UsageIngestSummary>) => Promise<UsageIngestSummary>;

/**
 * `POST /usage?format=ndjson|csv[&dryRun=true][&contract=C]` on the control socket: `insights
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
  if (format !== 'ndjson' && format !== 'csv') return { status: 400, body: { error: 'format must be ndjson or csv' } };
  try {
    const contract = query.get('contract');
    const result = await observe(ingestUsage(store, request, {
      format: format as UsageFormat, dryRun: query.get('dryRun') === 'true', ...(contract ? { defaultContractNumber: contract } : {}),
    }));
    return { status: 200, body: { result } };
  } catch (error) {
    if (!AppError.is(error)) return { status: 500, body: { error: 'internal error' } };
    return { status: 400, body: { error: error.message, code: error.code, ...(error.extra ?? {}) } };
  }
}
