import { atLeastOneFieldOrMetric, authenticatedErrors, notModifiedSchema, compatiblePagingProperties, preferHeader, catalogSchema, insightsErrorSchema } from '../../schemas.js';

const errors = authenticatedErrors(insightsErrorSchema);

export const catalogRoute = {
  tags: ['insights'],
  summary: 'Every Insights field and metric with type, description and where it can be used (ours).',
  response: { 200: catalogSchema, ...errors },
} as const;

export const contextsRoute = {
  tags: ['insights'],
  summary: 'The teams (contexts) the caller administers.',
  response: {
    200: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          contextId: { type: 'string' },
          alias: { type: 'string' },
          reportingBenefits: { type: 'array', items: { type: 'string' } },
        },
        required: ['contextId', 'alias', 'reportingBenefits'],
      },
    },
    ...errors,
  },
} as const;

const paging = compatiblePagingProperties;

const contextProps = {
  contextId: { type: 'string', pattern: '^[A-Za-z0-9-]{1,40}$' },
  context: { type: 'string', pattern: '^[A-Za-z0-9-]{1,40}$' },
} as const;

const queryResult = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['SUBMITTED', 'RUNNING', 'COMPLETED', 'EXPIRED', 'ERROR'] },
    startTime: { type: 'integer' },
    columns: { type: 'array', items: { type: 'string' } },
    rows: { type: 'array', items: { type: 'array' } },
    pagination: {
      type: 'object',
      properties: { totalResults: { type: 'integer' }, offset: { type: 'integer' }, limit: { type: 'integer' } },
    },
    rowCount: { type: 'integer' },
    expiresAt: { type: 'string' },
    error: { type: 'object', properties: { title: { type: 'string' }, detail: { type: 'string' } } },
  },
  required: ['id', 'status'],
} as const;

const queryIdParams = {
  type: 'object',
  properties: { queryId: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
  required: ['queryId'],
  additionalProperties: false,
} as const;

export const submitQueryRoute = {
  tags: ['insights'],
  summary: 'Submit a usage query: COMPLETED with the first page when it finishes within the submit hold (SUBMIT_HOLD_MS, 2 s), else SUBMITTED (poll GET /usage-queries/:queryId).',
  querystring: { type: 'object', properties: { ...paging, ...contextProps }, additionalProperties: false },
  body: {
    type: 'object',
    properties: {
      fields: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 100 },
      metrics: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 100 },
      where: { type: 'string', maxLength: 10_000 },
      orderBy: { type: 'string', maxLength: 2_000 },
      ...contextProps,
    },
    additionalProperties: false,
    ...atLeastOneFieldOrMetric,
  },
  headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 }, prefer: preferHeader } },
  // 429: the caller's unfinished queries are at QUERY_QUEUE_PER_USER (QUERY_QUEUE_FULL, Retry-After).
  response: { 200: queryResult, 422: insightsErrorSchema, 429: insightsErrorSchema, ...errors },
} as const;

export const getQueryRoute = {
  tags: ['insights'],
  summary: 'Status of a usage query and, once COMPLETED, a page of its stored result.',
  params: queryIdParams,
  querystring: { type: 'object', properties: paging, additionalProperties: false },
  headers: { type: 'object', properties: { prefer: preferHeader } },
  response: { 200: queryResult, 304: notModifiedSchema, ...errors },
} as const;

export const deleteQueryRoute = {
  tags: ['insights'],
  summary: 'Cancel a query in progress (it ends ERROR/CANCELED) or delete a finished one (ours).',
  params: queryIdParams,
  response: { 204: { type: 'null', description: 'Canceled or deleted.' }, ...errors },
} as const;

const stringArray = (pattern?: string) => ({ type: 'array', items: { type: 'string', maxLength: 100, ...(pattern ? { pattern } : {}) }, maxItems: 1000 }) as const;

const exportBody = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    timestamp: { type: 'string' },
    downloads: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          type: {
            type: 'string', enum: ['SUBSCRIPTIONS', 'USERS', 'USAGE', 'USAGE_REPORT_BY_PRODUCT', 'USAGE_REPORT_BY_PRODUCT_DETAIL'],
            description: 'The file\'s report. USAGE_REPORT yields two downloads, in this order: `USAGE_REPORT_BY_PRODUCT` (the per-product summary) and `USAGE_REPORT_BY_PRODUCT_DETAIL` (per product and user).',
          },
          downloadURL: { type: 'string' }, fileName: { type: 'string' }, rowCount: { type: 'integer' },
          byteSize: { type: 'integer' }, sha256: { type: 'string' }, expiresAt: { type: 'string' },
        },
      },
    },
    status: { type: 'string', enum: ['SUBMITTED', 'COMPLETED', 'ERROR', 'EXPIRED'] },
    outputFormat: { type: 'string' },
    teamId: { type: ['string', 'null'] },
    teamName: { type: ['string', 'null'] },
    reports: { type: 'array', items: { type: 'string' } },
    expiresAt: { type: 'string' },
    error: { type: 'object', properties: { title: { type: 'string' }, detail: { type: 'string' } } },
  },
  required: ['id', 'timestamp', 'downloads', 'status', 'outputFormat', 'teamId', 'teamName', 'reports'],
} as const;

const exportIdParams = {
  type: 'object',
  properties: { exportId: { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' } },
  required: ['exportId'],
  additionalProperties: false,
} as const;

export const submitExportRoute = {
  tags: ['insights'],
  summary: 'Request report files (SUBSCRIPTIONS, USERS, USAGE, USAGE_REPORT) as CSV, EXCEL or JSON.',
  headers: { type: 'object', properties: { 'accept-language': { type: 'string', maxLength: 200 } } },
  body: {
    type: 'object',
    properties: {
      outputFormat: { type: 'string', enum: ['CSV', 'EXCEL', 'JSON'] },
      reports: { type: 'array', items: { type: 'string', enum: ['SUBSCRIPTIONS', 'USERS', 'USAGE', 'USAGE_REPORT'] }, minItems: 1, uniqueItems: true },
      teamId: {
        type: ['string', 'null'], pattern: '^[A-Za-z0-9-]{1,40}$',
        description: 'A team the caller administers; absent or `null` (seed 001): every team they administer.',
      },
      startDate: { type: 'string', maxLength: 40 },
      endDate: { type: 'string', maxLength: 40 },
      usageReports: { type: 'array', items: { type: 'string', enum: ['USAGE_REPORT_BY_PRODUCT'] }, maxItems: 1 },
      filters: {
        type: 'object',
        properties: {
          groupId: stringArray(), productLineCode: stringArray(), source: { type: 'array', items: { type: 'string', enum: ['sus', 'ppu', 'flex'] } },
          assigned: { type: 'boolean' }, userStatus: { type: 'array', items: { type: 'string', enum: ['active', 'inactive'] } },
          userId: stringArray(), versionId: stringArray(),
          usageCategory: {
            type: 'array', items: { type: 'string', enum: ['DESKTOP_PRODUCT', 'CLOUD_PRODUCT', 'CLOUD_SERVICE', 'MANUAL_ADJUSTMENT', 'MANUAL_CONSUMPTION'] },
            description: '(ours) Only records of these usage categories (usage reports).',
          },
        },
        additionalProperties: false,
      },
    },
    required: ['outputFormat', 'reports'],
    additionalProperties: false,
  },
  response: { 200: exportBody, ...errors },
} as const;

export const getExportRoute = {
  tags: ['insights'],
  summary: 'One export; when COMPLETED, downloads carry freshly signed URLs.',
  params: exportIdParams,
  response: { 200: exportBody, ...errors },
} as const;

export const listExportsRoute = {
  tags: ['insights'],
  summary: 'The caller\'s exports of the last 14 days, newest first.',
  querystring: { type: 'object', properties: { teamId: contextProps.contextId, ...paging }, additionalProperties: false },
  response: {
    200: {
      type: 'object',
      properties: {
        exports: { type: 'array', items: exportBody },
        pagination: { type: 'object', properties: { offset: { type: 'integer' }, limit: { type: 'integer' }, totalResults: { type: 'integer' } } },
      },
    },
    ...errors,
  },
} as const;

export const deleteExportRoute = {
  tags: ['insights'],
  summary: 'Cancel an export in progress or delete a finished one with its files (ours).',
  params: exportIdParams,
  response: { 204: { type: 'null', description: 'Canceled or deleted.' }, ...errors },
} as const;

const checkResult = {
  type: 'object',
  properties: {
    valid: { type: 'boolean', const: true },
    columns: { type: 'array', items: { type: 'string' }, description: 'The columns the result would have, in order.' },
  },
  required: ['valid', 'columns'],
} as const;

export const checkQueryRoute = {
  tags: ['insights'],
  summary: 'Check a usage query without running it (ours): 200 with its columns, or the 400 a submit would answer.',
  description: 'Takes the body of `POST /usage-queries`. A `where` mistake answers 400 with the message, `position` and caret `snippet`, '
    + 'and the nearest field name for a typo, exactly as the submit does; nothing is queued. For editors that check as the user types.',
  querystring: { type: 'object', properties: contextProps, additionalProperties: false },
  body: submitQueryRoute.body,
  response: { 200: checkResult, ...errors },
} as const;

const subscriptionItem = {
  type: 'object',
  properties: {
    subscriptionId: { type: 'string' },
    contractNumber: { type: ['string', 'null'] },
    productLineCode: { type: 'string' },
    productName: { type: 'string' },
    offeringType: { type: 'string' },
    term: { type: 'string' },
    status: { type: 'string' },
    quantity: { type: 'integer', description: 'Seats bought.' },
    assignedSeats: { type: 'integer', description: 'Seats assigned to users.' },
    startDate: { type: 'string', format: 'date' },
    endDate: { type: 'string', format: 'date' },
  },
  required: ['subscriptionId', 'productLineCode', 'productName', 'status', 'quantity', 'assignedSeats', 'startDate', 'endDate'],
} as const;

export const contextSubscriptionsRoute = {
  tags: ['insights'],
  summary: 'The subscriptions of a team with their seats bought and assigned (ours; the SUBSCRIPTIONS export as JSON, at once).',
  params: {
    type: 'object',
    properties: { contextId: contextProps.contextId },
    required: ['contextId'],
    additionalProperties: false,
  },
  response: { 200: { type: 'array', items: subscriptionItem }, ...errors },
} as const;
