import { LEGACY_USAGE_CATEGORIES, USAGE_CATEGORIES } from '../../../catalog/index.js';
import { atLeastOneFieldOrMetric, authenticatedErrors, notModifiedSchema, compatiblePagingProperties, preferHeader, catalogSchema, tokenflexErrorSchema } from '../../schemas.js';

const errors = authenticatedErrors(tokenflexErrorSchema);
/** The errors every Token Flex route can answer (family shape; gateway shape for authentication). */
export const tokenflexErrors = errors;

const contract = {
  contractNumber: { type: 'string' },
  contractName: { type: 'string' },
  contractStartDate: { type: 'string', format: 'date' },
  contractEndDate: { type: 'string', format: 'date' },
  isActive: { type: 'boolean' },
} as const;

/** `:contract_number`: digits, letters and dashes; anything else is 400 before any lookup. */
export const contractParams = {
  type: 'object',
  properties: { contract_number: { type: 'string', pattern: '^[A-Za-z0-9-]{1,40}$' } },
  required: ['contract_number'],
  additionalProperties: false,
} as const;

export const catalogRoute = {
  tags: ['tokenflex'],
  summary: 'Every Token Flex field and metric with type, description, categories and session level (ours).',
  response: { 200: catalogSchema, ...errors },
} as const;

export const contractsRoute = {
  tags: ['tokenflex'],
  summary: 'The contracts the caller manages.',
  response: {
    200: { type: 'array', items: { type: 'object', properties: contract, required: Object.keys(contract) } },
    ...errors,
  },
} as const;

export const contractRoute = {
  tags: ['tokenflex'],
  summary: 'One contract with its contract years and token figures.',
  params: contractParams,
  response: {
    200: {
      type: 'object',
      properties: {
        ...contract,
        multiyearProvisionedTokens: { type: 'number' },
        contractYears: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              year: { type: 'integer' },
              startDate: { type: 'string', format: 'date' },
              endDate: { type: 'string', format: 'date' },
              provisionedTokens: { type: 'number' },
              consumedTokens: { type: 'number' },
              remainingTokens: { type: 'number' },
              multiyearTokensAtStart: { type: 'number' },
              multiyearConsumedTokens: { type: 'number' },
            },
          },
        },
      },
    },
    ...errors,
  },
} as const;

const paging = compatiblePagingProperties;

/** A usage category in a JSON body: one of the five, or a legacy name (spec §4). */
const usageCategoryName = { type: 'string', enum: [...USAGE_CATEGORIES, ...Object.keys(LEGACY_USAGE_CATEGORIES)] } as const;
/** `usageCategory` in query and export bodies: an array of names, or a single one (spec §4). */
const usageCategoryBody = {
  anyOf: [{ type: 'array', items: usageCategoryName, maxItems: 10 }, usageCategoryName],
  description: 'Usage categories: an array, or a single name; the legacy names PRODUCT_CONSUMPTION, CLOUD_CONSUMPTION and CLOUD_PRODUCT_CONSUMPTION are accepted.',
} as const;

/** `usageCategory` as a query parameter: repeated, or comma-separated; legacy names accepted. */
const usageCategoryParam = { type: 'array', items: { type: 'string', pattern: '^[A-Za-z_,]{1,200}$' }, maxItems: 10 } as const;

const stringList = { type: 'array', items: { type: 'string' } } as const;

export const valuesRoute = {
  tags: ['tokenflex'],
  summary: 'Distinct values with usage of a field in the contract, sorted.',
  params: {
    type: 'object',
    properties: {
      contract_number: contractParams.properties.contract_number,
      field: { type: 'string', enum: ['productName', 'userName', 'machineName', 'licenseServerName'] },
    },
    required: ['contract_number', 'field'],
    additionalProperties: false,
  },
  querystring: { type: 'object', properties: { usageCategory: usageCategoryParam }, additionalProperties: false },
  response: { 200: stringList, ...errors },
} as const;

export const enrichmentRoute = {
  tags: ['tokenflex'],
  summary: 'The ten enrichment category names; position i is customField{i+1} ("" when unused).',
  params: contractParams,
  response: { 200: stringList, ...errors },
} as const;

export const enrichmentValuesRoute = {
  tags: ['tokenflex'],
  summary: 'Distinct values of one enrichment category (by name or customFieldN).',
  params: {
    type: 'object',
    properties: {
      contract_number: contractParams.properties.contract_number,
      category: { type: 'string', minLength: 1, maxLength: 100 },
    },
    required: ['contract_number', 'category'],
    additionalProperties: false,
  },
  response: { 200: stringList, ...errors },
} as const;

const month = { type: 'string', pattern: '^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])(-01)?$', description: 'YYYY-MM or YYYY-MM-01, years 1970 to 9999' } as const;

export const summaryRoute = {
  tags: ['tokenflex'],
  summary: 'Monthly unique users and tokens consumed per contract year and usage category.',
  params: contractParams,
  querystring: {
    type: 'object',
    properties: { minUsageMonth: month, maxUsageMonth: month, contractYear: { type: 'integer', minimum: 1, maximum: 100 }, usageCategory: usageCategoryParam },
    additionalProperties: false,
  },
  response: {
    200: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          usageMonth: { type: 'string' }, contractYear: { type: 'integer' }, usageCategory: { type: 'string' },
          uniqueUsers: { type: 'integer' }, tokensConsumed: { type: 'number' },
        },
      },
    },
    ...errors,
  },
} as const;

export const lastRoute = {
  tags: ['tokenflex'],
  summary: 'The latest usage and processing date per usage and charge category.',
  params: contractParams,
  response: {
    200: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          usageCategory: { type: 'string' }, chargeCategory: { type: 'string' },
          lastUsageDate: { type: 'string', description: 'The latest rating day (YYYY-MM-DD) of the usage and charge category.' },
          lastProcessDate: {
            type: 'string',
            description: 'When the service last processed usage of the category (UTC, ISO 8601): the latest time a batch inserted one of its records or re-rated one with a changed charge. Records loaded before that was recorded (the demo data) count their usage time.',
          },
        },
      },
    },
    ...errors,
  },
} as const;

const queryStatus = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['QUEUED', 'PROCESSING', 'DONE', 'FAILED', 'TIMEOUT', 'EXPIRED'] },
    id: { type: 'string' },
    detail_uri: { type: 'string' },
    result: {
      type: 'object',
      properties: {
        columns: stringList,
        rows: { type: 'array', items: { type: 'array' } },
        total: { type: 'integer' },
        offset: { type: 'integer' },
        limit: { type: 'integer' },
      },
    },
    error: { type: 'object', properties: { title: { type: 'string' }, detail: { type: 'string' } } },
    expiresAt: { type: 'string' },
  },
  required: ['status', 'id'],
} as const;

export const submitQueryRoute = {
  tags: ['tokenflex'],
  summary: 'Submit a usage query for the contract: DONE with result when it finishes within the submit hold (SUBMIT_HOLD_MS, 2 s), else QUEUED (poll detail_uri).',
  params: contractParams,
  body: {
    type: 'object',
    properties: {
      fields: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 100 },
      metrics: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 100 },
      usageCategory: usageCategoryBody,
      where: { type: 'string', maxLength: 10_000 },
    },
    additionalProperties: false,
    ...atLeastOneFieldOrMetric,
  },
  headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 }, prefer: preferHeader } },
  // 429: the caller's unfinished queries are at QUERY_QUEUE_PER_USER (QUERY_QUEUE_FULL, Retry-After).
  response: { 200: queryStatus, 422: tokenflexErrorSchema, 429: tokenflexErrorSchema, ...errors },
} as const;

export const getQueryRoute = {
  tags: ['tokenflex'],
  summary: 'Status of a usage query and, once DONE, a page of its stored result.',
  params: {
    type: 'object',
    properties: { contract_number: contractParams.properties.contract_number, id: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
    required: ['contract_number', 'id'],
    additionalProperties: false,
  },
  querystring: { type: 'object', properties: paging, additionalProperties: false },
  headers: { type: 'object', properties: { prefer: preferHeader } },
  response: { 200: queryStatus, 304: notModifiedSchema, ...errors },
} as const;

/** `:request_key` arrives URI-encoded (`2018-10-29T03%3A25%3A31%23<uuid>`); the router decodes it. */
export const exportKeyParams = {
  type: 'object',
  properties: {
    contract_number: contractParams.properties.contract_number,
    request_key: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}#[0-9a-f-]{36}$' },
  },
  required: ['contract_number', 'request_key'],
  additionalProperties: false,
} as const;

const exportRequest = {
  type: 'object',
  properties: {
    requestKey: { type: 'string' },
    requestStatus: { type: 'string', enum: ['Requested', 'Download', 'Error'] },
    downloadFileName: { type: 'string' },
    downloadUrl: { type: 'string' },
    downloadUrlExpireDate: { type: 'string' },
    exportRequestDate: { type: 'string' },
    scheduleId: { type: 'string' },
    readFlag: { type: 'string', enum: ['Y', 'N'] },
    rowCount: { type: 'integer' },
    byteSize: { type: 'integer' },
    sha256: { type: 'string' },
    expiresAt: { type: 'string' },
    error: { type: 'object', properties: { title: { type: 'string' }, detail: { type: 'string' } } },
  },
  required: ['requestKey', 'requestStatus', 'downloadFileName', 'exportRequestDate'],
} as const;

export const submitExportRoute = {
  tags: ['tokenflex'],
  summary: 'Request a CSV export of a usage query (seed 002); at most 50 may wait per user.',
  params: contractParams,
  body: {
    type: 'object',
    properties: {
      fields: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 100 },
      metrics: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 100 },
      usageCategory: usageCategoryBody,
      where: { type: 'string', maxLength: 10_000 },
      downloadFileName: { type: 'string', maxLength: 300 },
    },
    additionalProperties: false,
    ...atLeastOneFieldOrMetric,
  },
  response: { 200: exportRequest, 429: tokenflexErrorSchema, ...errors },
} as const;

export const exportListRoute = {
  tags: ['tokenflex'],
  summary: 'Export requests created in [fromDate, toDate).',
  params: contractParams,
  querystring: {
    type: 'object',
    properties: {
      fromDate: { type: 'string', maxLength: 40, pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}', description: 'A date (YYYY-MM-DD) or date-time, years 1970 to 9999; inclusive.' },
      toDate: { type: 'string', maxLength: 40, pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}', description: 'A date (YYYY-MM-DD) or date-time, years 1970 to 9999; exclusive.' },
    },
    required: ['fromDate', 'toDate'],
    additionalProperties: false,
  },
  response: { 200: { type: 'array', items: exportRequest }, ...errors },
} as const;

export const exportRoute = {
  tags: ['tokenflex'],
  summary: 'One export request; `downloadUrl` is present (and freshly signed) once its status is Download.',
  params: exportKeyParams,
  response: { 200: exportRequest, ...errors },
} as const;

export const markReadRoute = {
  tags: ['tokenflex'],
  summary: 'Mark export requests read; answers the keys whose flag changed.',
  params: contractParams,
  body: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 1000 },
  response: { 200: { type: 'array', items: { type: 'string' } }, ...errors },
} as const;

export const scheduleIdParams = {
  type: 'object',
  properties: {
    contract_number: contractParams.properties.contract_number,
    schedule_id: { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' },
  },
  required: ['contract_number', 'schedule_id'],
  additionalProperties: false,
} as const;

export const scheduleBodySchema = {
  type: 'object',
  properties: {
    dateRangeExpression: { type: 'string', pattern: '^Previous-[1-9][0-9]?-(Day|Week|Month)$' },
    enableFlag: { type: 'string', enum: ['Y', 'N'] },
    frequencyExpression: { type: 'string', minLength: 11, maxLength: 200 },
    scheduleObjects: {
      type: 'array', minItems: 1, maxItems: 4,
      items: {
        type: 'object',
        properties: {
          usageCategory: { type: 'string', enum: ['DESKTOP_PRODUCT', 'CLOUD'] },
          aggregationLevel: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: ['Transactional', 'Daily', 'Monthly'] } },
        },
        required: ['usageCategory', 'aggregationLevel'],
        additionalProperties: false,
      },
    },
  },
  required: ['dateRangeExpression', 'enableFlag', 'frequencyExpression', 'scheduleObjects'],
  additionalProperties: false,
} as const;

const scheduleSchema = {
  type: 'object',
  properties: {
    scheduleID: { type: 'string' },
    dateRangeExpression: { type: 'string' },
    enableFlag: { type: 'string' },
    frequencyExpression: { type: 'string' },
    lastRanDate: { type: ['string', 'null'] },
    nextRunDate: { type: ['string', 'null'] },
    scheduleObjects: scheduleBodySchema.properties.scheduleObjects,
  },
} as const;

export const scheduleListRoute = {
  tags: ['tokenflex'],
  summary: 'The caller\'s export schedules of the contract.',
  params: contractParams,
  response: { 200: { type: 'array', items: scheduleSchema }, ...errors },
} as const;

export const scheduleRoute = {
  tags: ['tokenflex'],
  summary: 'One export schedule.',
  params: scheduleIdParams,
  response: { 200: scheduleSchema, ...errors },
} as const;

export const checkQueryRoute = {
  tags: ['tokenflex'],
  summary: 'Check a usage query without running it (ours): 200 with its columns, or the 400 a submit would answer.',
  description: 'Takes the body of `POST /usage/:contract_number/query`. A `where` mistake answers 400 with the message, `position` and caret '
    + '`snippet`, and the nearest field name for a typo, exactly as the submit does; nothing is queued.',
  params: contractParams,
  body: submitQueryRoute.body,
  response: {
    200: {
      type: 'object',
      properties: {
        valid: { type: 'boolean', const: true },
        columns: { type: 'array', items: { type: 'string' }, description: 'The columns the result would have, in order.' },
      },
      required: ['valid', 'columns'],
    },
    ...errors,
  },
} as const;

/** The most rows a denials query answers inline; a query past it is refused (group by more coarsely). */
export const MAX_DENIAL_ROWS = 100_000;

export const denialsCatalogRoute = {
  tags: ['tokenflex'],
  summary: 'The fields and metrics of the FlexNet denials queries (ours, issue 20): the DENIED lines of the licence servers\' debug logs.',
  response: { 200: catalogSchema, ...errors },
} as const;

export const sessionsCatalogRoute = {
  tags: ['tokenflex'],
  summary: 'The fields and metrics of the desktop sessions queries (ours, issue 20): the Token Flex desktop fields with what a FlexNet debug log ' +
    'says of each session, its licences and how it ended.',
  response: { 200: catalogSchema, ...errors },
} as const;

/** The body and answer of the inline (not paged, not stored) queries of denials and sessions. */
const inlineQueryParts = {
  body: {
    type: 'object',
    properties: {
      fields: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 100 },
      metrics: { type: 'array', items: { type: 'string', maxLength: 100 }, maxItems: 100 },
      where: { type: 'string', maxLength: 10_000 },
      orderBy: { type: 'string', maxLength: 10_000 },
    },
    additionalProperties: false,
    ...atLeastOneFieldOrMetric,
  },
  response: {
    200: {
      type: 'object',
      properties: {
        columns: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, type: { type: 'string' } }, required: ['name', 'type'] } },
        rows: { type: 'array', items: { type: 'array', items: {} } },
      },
      required: ['columns', 'rows'],
    },
    ...errors,
  },
} as const;

export const denialsQueryRoute = {
  tags: ['tokenflex'],
  summary: 'Query the contract\'s FlexNet denials the Token Flex way (ours, issue 20): fields to group by, metrics, where, orderBy; answered inline ' +
    `(at most ${MAX_DENIAL_ROWS} rows). Imported with insights import --source flexlm or POST /admin/v1/usage?source=flexlm (docs/sources.md).`,
  params: contractParams,
  ...inlineQueryParts,
} as const;

export const sessionsQueryRoute = {
  tags: ['tokenflex'],
  summary: 'Query the contract\'s desktop sessions with their licences and how they ended (sessionLicenses, sessionEndedBy: sessions read from ' +
    'FlexNet debug logs; null for the others) the Token Flex way (ours, issue 20): fields to group by, metrics, where, orderBy; answered inline ' +
    `(at most ${MAX_DENIAL_ROWS} rows; docs/sources.md).`,
  params: contractParams,
  ...inlineQueryParts,
} as const;
