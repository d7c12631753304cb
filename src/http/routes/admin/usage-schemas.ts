import { describeRecordFormat } from '../../../ingest/index.js';
import { authenticatedProblemErrors, problemResponse, problemSchema } from '../../schemas.js';

/**
 * RFC 9457 problem details of the usage route. A USAGE_BATCH_INVALID answer lists the batch's
 * problems as `{line, field, message}`; a query-string error as `{path, message}`.
 */
const usageProblemSchema = {
  ...problemSchema,
  properties: {
    ...problemSchema.properties,
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          file: { type: 'string', description: '?source=: the file (the upload\'s ?name=).' }, line: { type: 'integer' }, field: { type: 'string' },
          path: { type: 'string' }, message: { type: 'string' },
        },
        required: ['message'],
      },
    },
    errorCount: { type: 'integer', description: 'USAGE_BATCH_INVALID: every problem of the batch (only the first 100 are listed).' },
    invalidLines: { type: 'integer', description: 'USAGE_BATCH_INVALID: lines with at least one problem.' },
  },
} as const;

/** The media types a usage batch may be sent as; anything else is 415. */
export const USAGE_MEDIA_TYPES = ['application/x-ndjson', 'text/csv', 'text/plain'] as const;

export const ingestUsageRoute = {
  tags: ['admin'],
  summary: 'Ingest usage records (NDJSON or CSV), rated on arrival',
  description: [
    'Streams a batch of usage records of any size, validates every row, and applies a good batch atomically: records whose `id` is already stored (or repeated in the batch) count as duplicates and are not stored again, so re-sending a batch changes nothing. The new records are rated by the Token Flex rules together with every stored record they can change (their user-days, and the CY/MY split of the rest of their contract years), whatever order batches arrive in.',
    'Any bad row rejects the whole batch with `400` `USAGE_BATCH_INVALID` listing `{line, field, message}` (the first 100); nothing is written. `?dryRun=true` validates and counts only. The body may be gzip-compressed (`Content-Encoding: gzip`).',
    '',
    '**Sources** (docs/sources.md). `?source=tokenflex-export&contract=C` reads a session-level Token Flex export (text/csv) as Autodesk wrote it: its records keep Autodesk\'s charges, never re-rated, and go only into a contract whose `chargesFrom` is `autodesk`; an aggregated export is refused with the export to request instead. `?source=flexlm&contract=C&server=NAME&offset=±HH:MM` reads a FlexNet debug log (text/plain): its sessions become desktop usage records (`sus`, or `rateAs=flex`), its `DENIED:` lines denials (`GET /admin/v1/denials`); a feature no product has refuses the batch by name with its line count (`dryRun=true` lists them in `log.unknownFeatures`). Every refused line names its file (`?name=`, default `body`), line and reason.',
    '',
    '**Record format.** ' + describeRecordFormat(),
  ].join('\n'),
  consumes: [...USAGE_MEDIA_TYPES],
  querystring: {
    type: 'object',
    properties: {
      dryRun: { type: 'boolean', default: false, description: 'Validate and count only; write nothing.' },
      contract: { type: 'string', minLength: 1, maxLength: 100, description: 'The contract of records that name none (their `contractNumber`); with `source`, the contract of every record.' },
      source: { type: 'string', enum: ['tokenflex-export', 'flexlm'], description: 'Read the body as a Token Flex export (text/csv) or a FlexNet debug log (text/plain) instead of usage records.' },
      server: { type: 'string', minLength: 1, maxLength: 200, description: '`source=flexlm`: the licence server\'s name, part of every record and its id.' },
      offset: { type: 'string', pattern: '^[+-]\\d{2}:\\d{2}$', description: '`source=flexlm`: the licence server\'s UTC offset, e.g. -05:00 (the log\'s times are its local time).' },
      rateAs: { type: 'string', enum: ['sus', 'flex'], description: '`source=flexlm`: `sus` (default) network seats, no Flex tokens; `flex` rated as Flex usage.' },
      name: { type: 'string', minLength: 1, maxLength: 200, description: 'With `source`: the file\'s name in the problems listed (default `body`).' },
    },
    additionalProperties: false,
  },
  // Documentation only: a schema that names no type validates anything, and the body the handler
  // gets is the request stream itself.
  body: {
    content: {
      'application/x-ndjson': { schema: { description: 'One record object per line.' } },
      'text/csv': { schema: { description: 'A header row of column names, then one record per row (or, with source=tokenflex-export, a Token Flex export).' } },
      'text/plain': { schema: { description: 'With source=flexlm: a FlexNet debug log.' } },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        records: { type: 'integer', description: 'Records in the batch.' },
        inserted: { type: 'integer', description: 'Records stored (a dry run: that would be stored).' },
        duplicates: { type: 'integer', description: 'Records whose id was stored already or came earlier in the batch.' },
        rated: { type: 'integer', description: 'Records whose charge was computed: the new ones and the stored ones they can change.' },
        dryRun: { type: 'boolean' },
        denials: { type: 'integer', description: 'source=flexlm: the DENIED lines read as denials.' },
        denialsInserted: { type: 'integer', description: 'source=flexlm: the denials stored (a dry run: that would be); the others were stored already.' },
        revised: {
          type: 'integer',
          description: 'source=flexlm: sessions an earlier batch stored as still open at its log\'s end (sessionEndedBy log-end) whose end this batch moved: ' +
            'their check-in, the server\'s stop, or a later end of the log (rotated logs imported as separate batches, docs/sources.md).',
        },
        log: {
          type: 'object', additionalProperties: true,
          description: 'source=flexlm: what the log held: files, lines, sessions (sessionsEndedBy), denials, unmatchedCheckins, unknownFeatures ' +
            '[{feature, lines, file, firstLine, looksLike}], unsupportedFeatures, foreignLines.',
        },
      },
      required: ['records', 'inserted', 'duplicates', 'rated', 'dryRun'],
    },
    ...authenticatedProblemErrors(usageProblemSchema),
    413: problemResponse(usageProblemSchema, 'BODY_TOO_LARGE: the inflated body is over the limit (README "Limits").'),
    415: problemResponse(usageProblemSchema),
  },
} as const;
