import type { FastifyError } from 'fastify';
import { AppError, type ErrorDetail, type ErrorKind } from '../../errors.js';

const STATUS_BY_KIND = {
  'bad-request': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
  unprocessable: 422,
  'too-many-requests': 429,
  unavailable: 503,
  internal: 500,
} as const satisfies Record<ErrorKind, number>;

/** An error reduced to what every family renderer needs. `message` is always safe to send. */
export interface NormalisedError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly extras: Readonly<Record<string, unknown>>;
  readonly retryAfterSeconds?: number;
  /** True for errors we did not expect: logged with their stack, never described to the caller. */
  readonly unexpected: boolean;
}

interface AjvIssue {
  readonly instancePath?: string;
  readonly message?: string;
  readonly keyword?: string;
  readonly params?: Record<string, unknown>;
}

/** Turns Ajv's issues into `{path, message}` pairs a person can act on. */
function describeValidation(context: string | undefined, issues: readonly AjvIssue[]): ErrorDetail[] {
  return issues.map((issue) => {
    let pathText = issue.instancePath ?? '';
    let message = issue.message ?? 'is not valid';
    const params = issue.params ?? {};
    if (issue.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      pathText += `/${params.additionalProperty}`;
      message = 'is not a known property';
    } else if (issue.keyword === 'required' && typeof params.missingProperty === 'string') {
      pathText += `/${params.missingProperty}`;
      message = 'is required';
    } else if (issue.keyword === 'enum' && Array.isArray(params.allowedValues)) {
      message = `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    return { path: `${context ?? 'body'}${pathText || ''}`, message };
  });
}

export function normaliseError(error: unknown): NormalisedError {
  if (AppError.is(error)) {
    const extras: Record<string, unknown> = { code: error.code };
    if (error.errors) extras.errors = error.errors;
    if (error.position) extras.position = error.position;
    if (error.snippet !== undefined) extras.snippet = error.snippet;
    if (error.extra) Object.assign(extras, error.extra);
    return {
      status: STATUS_BY_KIND[error.kind],
      code: error.code,
      message: error.message,
      extras,
      ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
      unexpected: error.kind === 'internal',
    };
  }
  const fastifyError = error as Partial<FastifyError> & { validation?: AjvIssue[]; validationContext?: string };
  if (Array.isArray(fastifyError.validation)) {
    const errors = describeValidation(fastifyError.validationContext, fastifyError.validation);
    const first = errors[0];
    return {
      status: 400,
      code: 'REQUEST_INVALID',
      message: first ? `${first.path} ${first.message}` : 'The request is invalid.',
      extras: { code: 'REQUEST_INVALID', errors },
      unexpected: false,
    };
  }
  // Fastify's own 4xx errors (bad JSON, wrong content type, body too large) carry safe messages.
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && typeof fastifyError.message === 'string') {
    return { status, code: 'REQUEST_INVALID', message: fastifyError.message, extras: { code: 'REQUEST_INVALID' }, unexpected: false };
  }
  return {
    status: 500,
    code: 'INTERNAL_ERROR',
    message: 'An unexpected error occurred. Quote the request id when reporting it.',
    extras: { code: 'INTERNAL_ERROR' },
    unexpected: true,
  };
}
