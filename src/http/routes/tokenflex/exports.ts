import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.js';
import { parseDateInRange } from '../../../limits.js';
import type { TokenflexExportService } from '../../../exports/index.js';
import type { Job, JobState } from '../../../store/index.js';
import { setSubmitHeaders } from '../../job-headers.js';
import { principalOf } from '../../plugins/auth.js';
import { typedRoutes, type SchemaType } from '../../type-provider.js';
import { exportListRoute, exportRoute, markReadRoute, submitExportRoute, tokenflexErrors } from './schemas.js';

/** Token Flex export request status words (spec §4). */
const REQUEST_STATUS = {
  queued: 'Requested',
  running: 'Requested',
  succeeded: 'Download',
  failed: 'Error',
  canceled: 'Error',
  expired: 'Error',
} as const satisfies Record<JobState, string>;


function describe(exportsService: TokenflexExportService, job: Job): Record<string, unknown> {
  const request = job.request as { downloadFileName: string; scheduleId: string | null };
  const body: Record<string, unknown> = {
    requestKey: job.id,
    requestStatus: REQUEST_STATUS[job.state],
    downloadFileName: request.downloadFileName,
    exportRequestDate: job.createdAt,
    readFlag: job.readFlag ? 'Y' : 'N',
  };
  if (request.scheduleId) body.scheduleId = request.scheduleId;
  const file = job.files[0];
  if (job.state === 'succeeded' && file) {
    const link = exportsService.link(job)!;
    Object.assign(body, {
      downloadUrl: link.url, downloadUrlExpireDate: link.expiresAt,
      rowCount: file.rowCount, byteSize: file.byteSize, sha256: file.sha256, expiresAt: job.expiresAt,
    });
  }
  if (job.state === 'expired') body.error = { title: 'EXPIRED', detail: 'The export file was deleted at the end of its retention.' };
  else if ((job.state === 'failed' || job.state === 'canceled') && job.errorTitle) body.error = { title: job.errorTitle, detail: job.errorDetail ?? '' };
  return body;
}

/** `/export/:c/requests…` (spec §4, seed 002). */
export function registerTokenflexExports(
  untyped: FastifyInstance, exportsService: TokenflexExportService,
  aliasesOf: (contractNumber: string) => Promise<Readonly<Record<string, string>>>,
): void {
  // Body, query and params types come from the route schemas (schemas.ts), never restated.
  const app = typedRoutes(untyped);
  app.post('/export/:contract_number/requests', { schema: submitExportRoute }, async (request, reply) => {
    const principal = principalOf(request);
    const contractNumber = request.params.contract_number;
    await principal.assertContract(contractNumber);
    const body = request.body;
    const job = await exportsService.submit(principal.user?.id ?? '', contractNumber, {
      fields: body.fields ?? [], metrics: body.metrics ?? [], fieldAliases: await aliasesOf(contractNumber),
      ...(body.usageCategory ? { usageCategory: ([] as string[]).concat(body.usageCategory) } : {}),
      ...(body.where !== undefined ? { where: body.where } : {}),
      ...(body.downloadFileName !== undefined ? { downloadFileName: body.downloadFileName } : {}),
    });
    setSubmitHeaders(reply, `/tokenflex/v1/export/${contractNumber}/requests/${encodeURIComponent(job.id)}`);
    const described = describe(exportsService, job);
    return { requestKey: described.requestKey, requestStatus: described.requestStatus, downloadFileName: described.downloadFileName, exportRequestDate: described.exportRequestDate };
  });

  app.get('/export/:contract_number/requests', { schema: exportListRoute }, async (request) => {
    const principal = principalOf(request);
    await principal.assertContract(request.params.contract_number);
    const from = parseDateInRange(request.query.fromDate, 'querystring/fromDate');
    const to = parseDateInRange(request.query.toDate, 'querystring/toDate');
    if (to < from) throw new AppError('REQUEST_INVALID', 'toDate must not be before fromDate.');
    const jobs = await exportsService.list(principal.user?.id ?? '', request.params.contract_number, from, to);
    return jobs.map((job) => describe(exportsService, job));
  });

  app.post('/export/:contract_number/requests/markRead', { schema: markReadRoute }, async (request) => {
    const principal = principalOf(request);
    await principal.assertContract(request.params.contract_number);
    return exportsService.markRead(principal.user?.id ?? '', request.body);
  });

  const load = async (request: FastifyRequest & { readonly params: SchemaType<typeof exportRoute.params> }) => {
    const principal = principalOf(request);
    await principal.assertContract(request.params.contract_number);
    return exportsService.get(principal.user?.id ?? '', request.params.contract_number, request.params.request_key);
  };

  app.get('/export/:contract_number/requests/:request_key', { schema: exportRoute }, async (request) =>
    describe(exportsService, await load(request)));

  app.delete('/export/:contract_number/requests/:request_key', {
    schema: { ...exportRoute, summary: 'Delete an export request and its file.', response: { 204: { type: 'null', description: 'Deleted.' }, ...tokenflexErrors } },
  }, async (request, reply) => {
    await exportsService.delete(await load(request));
    return reply.code(204).send();
  });

  app.post('/export/:contract_number/requests/:request_key/refreshUrl', {
    schema: { ...exportRoute, summary: 'A fresh download link for a completed export.' },
  }, async (request) => {
    const job = await load(request);
    if (job.state !== 'succeeded') throw new AppError('REQUEST_INVALID', `Export ${job.id} has no file to download (status ${REQUEST_STATUS[job.state]}).`);
    return describe(exportsService, job);
  });

  app.post('/export/:contract_number/requests/:request_key/retry', {
    schema: { ...exportRoute, summary: 'Put a failed export back in the queue (no effect otherwise).' },
  }, async (request) => {
    const job = await load(request);
    if (job.state === 'failed') await exportsService.retry(job);
    return describe(exportsService, await load(request));
  });

}
