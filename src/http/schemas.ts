/** JSON schemas shared by several API families' route declarations. */
import { DAY_PATTERN, MAX_INTEGER_PARAMETER, MAX_PAGE_LIMIT } from '../limits.js';

/** Insights error body (spec §1.1): `{title, detail}` plus our helpful extras. */
export const insightsErrorSchema = {
  type: 'object',
  properties: {
    title: { type: 'string' },
    detail: { type: 'string' },
    code: { type: 'string' },
  },
  required: ['title', 'detail'],
  additionalProperties: true,
} as const;

/** Token Flex error body (spec §1.1): `{Code, Message}` plus our helpful extras. */
export const tokenflexErrorSchema = {
  type: 'object',
  properties: {
    Code: { type: 'string' },
    Message: { type: 'string' },
    code: { type: 'string' },
  },
  required: ['Code', 'Message'],
  additionalProperties: true,
} as const;

/** The APS gateway's 401 body for authentication failures. */
export const gatewayErrorSchema = {
  type: 'object',
  properties: {
    developerMessage: { type: 'string' },
    moreInfo: { type: 'string' },
    errorCode: { type: 'string' },
  },
  required: ['developerMessage', 'errorCode'],
  additionalProperties: true,
} as const;

/** RFC 9457: the media type the admin and analytics families send their errors as. */
/**
 * Marks keywords of a request body's schema that the document states but the validator leaves to
 * the handler, which checks them and answers with the spec's error body (QUERY_INVALID in the
 * family's body, with every other problem of the request beside it) instead of the validator's
 * REQUEST_INVALID.
 */
export const HANDLER_CHECKED = 'x-checked-by-handler';

/**
 * A usage query (Insights, Token Flex, their exports and the denials query) needs at least one
 * field or metric: QUERY_INVALID naming `/fields` when it has neither (src/query/compiler/plan.ts).
 */
export const atLeastOneFieldOrMetric = {
  anyOf: [
    { required: ['fields'], properties: { fields: { minItems: 1 } } },
    { required: ['metrics'], properties: { metrics: { minItems: 1 } } },
  ],
  [HANDLER_CHECKED]: ['anyOf'],
} as const;

export const PROBLEM_JSON = 'application/problem+json';

/** A response sent as problem+json (so the document names that media type, not application/json). */
export function problemResponse(schema: object, description = 'An error, as RFC 9457 problem details.') {
  return { description, content: { [PROBLEM_JSON]: { schema } } } as const;
}

/**
 * Error responses every authenticated route of a problem+json family can give: its own errors as
 * problem+json, authentication failures in the gateway's JSON shape (a 403 can be either).
 */
export function authenticatedProblemErrors(schema: object) {
  return {
    400: problemResponse(schema),
    401: { description: 'No valid bearer token (the gateway\'s shape).', content: { 'application/json': { schema: gatewayErrorSchema } } },
    403: {
      description: 'The token lacks the scope (gateway shape, application/json) or the caller this resource (problem+json).',
      content: { [PROBLEM_JSON]: { schema }, 'application/json': { schema: gatewayErrorSchema } },
    },
    404: problemResponse(schema),
    414: problemResponse(schema, 'A path parameter is longer than 100 characters.'),
    500: problemResponse(schema),
  } as const;
}

/** Error responses every authenticated route can give, in a family's shape. */
export function authenticatedErrors(familyError: object) {
  return {
    400: familyError,
    401: gatewayErrorSchema,
    403: familyError,
    404: familyError,
    414: familyError,
    500: familyError,
  } as const;
}

const catalogEntry = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    type: { type: 'string' },
    description: { type: 'string' },
    filterable: { type: 'boolean' },
    sessionLevel: { type: 'boolean' },
    usageCategories: { type: 'array', items: { type: 'string' } },
    enumValues: { type: 'array', items: { type: 'string' } },
  },
  required: ['name', 'type', 'description'],
} as const;

/** `GET /<api>/v1/catalog` (ours). */
export const catalogSchema = {
  type: 'object',
  properties: {
    fields: { type: 'array', items: catalogEntry },
    metrics: { type: 'array', items: catalogEntry },
  },
  required: ['fields', 'metrics'],
} as const;

/** RFC 7240 `Prefer: wait=N`: hold the response up to N seconds (at most 60) until the job finishes (ours). */
export const preferHeader = {
  type: 'string',
  maxLength: 200,
  description: 'Optional `wait=N` (RFC 7240): answer as soon as the query finishes, or after N seconds (at most 60).',
} as const;

/**
 * An integer parameter: always with a maximum (at most 2^31 − 1), so no value reaches SQL that the
 * databases cannot hold (`99999999999999999999`); query-string text is read as digits only
 * (src/http/validation.ts), so `1e400` and `Infinity` are refused too.
 */
export function boundedInteger<Min extends number, Max extends number>(minimum: Min, maximum: Max) {
  return { type: 'integer', minimum, maximum } as const;
}

/** A `YYYY-MM-DD` day in the supported range (years 1970–9999, src/limits.ts). */
export const daySchema = { type: 'string', format: 'date', pattern: DAY_PATTERN, description: 'YYYY-MM-DD, years 1970 to 9999' } as const;

/** offset/limit of the admin lists: offset ≥ 0 (default 0), limit 1..1000 (default 100). */
export const pagingProperties = {
  offset: { ...boundedInteger(0, MAX_INTEGER_PARAMETER), default: 0 },
  limit: { ...boundedInteger(1, MAX_PAGE_LIMIT), default: 100 },
} as const;

/**
 * offset/limit of compatible endpoints (spec §1): offset ≥ 0 (default 0), limit ≥ 1 (default 100);
 * a limit above 1000 is read as 1000 (src/http/lenient-query.ts) and the page reports it.
 */
export const compatiblePagingProperties = {
  offset: pagingProperties.offset,
  limit: { ...boundedInteger(1, MAX_INTEGER_PARAMETER), default: 100, description: `Items per page, at most ${MAX_PAGE_LIMIT}: a larger value is read as ${MAX_PAGE_LIMIT}.` },
} as const;

/** The empty 304 answer to `If-None-Match` on job status resources. */
export const notModifiedSchema = { type: 'null', description: 'Not modified since the ETag sent in If-None-Match.' } as const;

/** RFC 9457 problem details, plus our `code` and, for validation, `errors: [{path, message}]`. */
export const problemSchema = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } }, required: ['path', 'message'] },
    },
  },
  required: ['type', 'title', 'status', 'detail'],
  additionalProperties: true,
} as const;
