/**
 * The registry of error codes: the only place a code is defined. Domain code throws these and never
 * picks an HTTP status itself; each API family's renderer (src/http/errors/) turns them into that
 * family's body. Every code has a section in docs/errors.md (checked by src/errors.test.ts).
 */

/** Where in a `where`/`orderBy` clause an error is. Offsets are 0-based, line and column 1-based. */
export interface SourcePosition {
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
}

/** One failing member of a request, e.g. `{ path: '/fields/2', message: 'unknown field' }`. */
export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

/** HTTP-agnostic "kind" of an error; the renderers map each kind to a status and a family body. */
export type ErrorKind =
  | 'bad-request' | 'unauthenticated' | 'forbidden' | 'not-found' | 'conflict'
  | 'too-large' | 'unprocessable' | 'too-many-requests' | 'unavailable' | 'internal';

export const ERROR_CODES = {
  REQUEST_INVALID: { kind: 'bad-request', title: 'The request is invalid' },
  AUTH_TOKEN_MISSING: { kind: 'unauthenticated', title: 'No bearer token was sent' },
  AUTH_TOKEN_INVALID: { kind: 'unauthenticated', title: 'The bearer token is not valid' },
  AUTH_SCOPE_MISSING: { kind: 'forbidden', title: 'The token lacks the scope this operation needs' },
  ACCESS_DENIED: { kind: 'forbidden', title: 'The caller does not administer this team or contract' },
  ROLE_REQUIRED: { kind: 'forbidden', title: 'The caller lacks the role this operation needs' },
  NOT_FOUND: { kind: 'not-found', title: 'No such resource' },
  CONFLICT: { kind: 'conflict', title: 'The resource exists already, or is still in use' },
  FILTER_SYNTAX: { kind: 'bad-request', title: 'The where clause is not well formed' },
  FILTER_NOT_SUPPORTED: { kind: 'bad-request', title: 'The where clause uses a construct the language rejects' },
  FILTER_UNKNOWN_FIELD: { kind: 'bad-request', title: 'The where clause names an unknown field' },
  FILTER_FIELD_NOT_FILTERABLE: { kind: 'bad-request', title: 'The field cannot be used in a where clause' },
  FILTER_TYPE_MISMATCH: { kind: 'bad-request', title: 'A literal does not fit the type of its field' },
  FILTER_LIKE_NOT_ALLOWED: { kind: 'bad-request', title: 'LIKE cannot be used on an enumerated field' },
  FILTER_LIKE_PATTERN_TOO_SHORT: { kind: 'bad-request', title: 'A LIKE pattern needs at least three literal characters' },
  FILTER_NESTING_TOO_DEEP: { kind: 'bad-request', title: 'Parentheses nest more than one level deep' },
  ORDER_BY_INVALID: { kind: 'bad-request', title: 'The orderBy clause is not valid' },
  QUERY_INVALID: { kind: 'bad-request', title: 'The query is not valid' },
  BODY_TOO_LARGE: { kind: 'too-large', title: 'The request body is larger than the service accepts' },
  USAGE_BATCH_INVALID: { kind: 'bad-request', title: 'The usage batch has invalid rows; nothing was written' },
  IDEMPOTENCY_KEY_REUSED: { kind: 'unprocessable', title: 'The idempotency key was used with a different request' },
  OAUTH_INVALID_REQUEST: { kind: 'bad-request', title: 'The OAuth request is missing a parameter or is malformed' },
  OAUTH_INVALID_CLIENT: { kind: 'unauthenticated', title: 'The client is unknown or its authentication failed' },
  OAUTH_INVALID_GRANT: { kind: 'bad-request', title: 'The code or refresh token is invalid, expired, used or revoked' },
  OAUTH_UNAUTHORIZED_CLIENT: { kind: 'bad-request', title: 'The client may not use this grant type' },
  OAUTH_UNSUPPORTED_GRANT_TYPE: { kind: 'bad-request', title: 'The grant type is not supported' },
  OAUTH_INVALID_SCOPE: { kind: 'bad-request', title: 'The scope is unknown, not allowed or broader than granted' },
  RATE_LIMITED: { kind: 'too-many-requests', title: 'Too many requests; retry later' },
  EXPORT_QUEUE_FULL: { kind: 'too-many-requests', title: 'Too many export requests are waiting' },
  QUERY_QUEUE_FULL: { kind: 'too-many-requests', title: 'Too many queries are unfinished' },
  DATA_DIR_LOCKED: { kind: 'unavailable', title: 'Another process holds the data directory' },
  INTERNAL_ERROR: { kind: 'internal', title: 'An unexpected error occurred' },
} as const satisfies Record<string, { kind: ErrorKind; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface AppErrorOptions {
  readonly detail?: string;
  readonly errors?: readonly ErrorDetail[];
  readonly position?: SourcePosition;
  readonly snippet?: string;
  readonly retryAfterSeconds?: number;
  readonly extra?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/** The one error type of the service. `message` is the human sentence; it is safe to show. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly title: string;
  readonly errors?: readonly ErrorDetail[];
  readonly position?: SourcePosition;
  readonly snippet?: string;
  readonly retryAfterSeconds?: number;
  readonly extra?: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message?: string, options: AppErrorOptions = {}) {
    super(message ?? options.detail ?? ERROR_CODES[code].title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.kind = ERROR_CODES[code].kind;
    this.title = ERROR_CODES[code].title;
    if (options.errors) this.errors = options.errors;
    if (options.position) this.position = options.position;
    if (options.snippet !== undefined) this.snippet = options.snippet;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
    if (options.extra) this.extra = options.extra;
  }

  static is(value: unknown): value is AppError {
    return value instanceof AppError;
  }
}

/**
 * Builds the caret snippet shown under a clause error:
 *   productName = 'x' and
 *                     ^^^
 */
export function caretSnippet(text: string, position: SourcePosition): string {
  const lines = text.split('\n');
  const line = lines[position.line - 1] ?? '';
  const width = Math.max(1, Math.min(position.end, position.start + line.length) - position.start);
  return `${line}\n${' '.repeat(Math.max(0, position.column - 1))}${'^'.repeat(width)}`;
}
