import type { NormalisedError } from './normalise.js';

/** The API families, each with its own error body (spec §1.1). */
export type ErrorFamily = 'insights' | 'tokenflex' | 'problem' | 'oauth';

export interface RenderedError {
  readonly status: number;
  readonly contentType: string;
  readonly body: Record<string, unknown>;
  readonly headers: Readonly<Record<string, string>>;
}

const INSIGHTS_TITLES: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST', 403: 'ACCESS_DENIED', 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT', 413: 'PAYLOAD_TOO_LARGE', 414: 'URI_TOO_LONG', 415: 'UNSUPPORTED_MEDIA_TYPE', 422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS', 500: 'INTERNAL_ERROR', 503: 'SERVICE_UNAVAILABLE',
};

const TOKENFLEX_CODES: Readonly<Record<number, string>> = {
  400: 'BadRequestError', 403: 'ForbiddenError', 404: 'NotFoundError', 405: 'MethodNotAllowedError',
  406: 'NotAcceptableError', 409: 'ConflictError', 413: 'PayloadTooLargeError', 414: 'UriTooLongError', 415: 'UnsupportedMediaTypeError',
  422: 'UnprocessableEntityError', 429: 'TooManyRequestsError', 500: 'InternalServerError', 503: 'ServiceUnavailableError',
};

/** APS gateway error codes for authentication failures. */
const GATEWAY_CODES: Readonly<Record<string, string>> = {
  AUTH_TOKEN_MISSING: 'AUTH-010',
  AUTH_TOKEN_INVALID: 'AUTH-006',
};

/** RFC 6749 §5.2 `error` values of our codes; anything else maps by status below. */
const OAUTH_ERRORS: Readonly<Record<string, string>> = {
  OAUTH_INVALID_REQUEST: 'invalid_request',
  REQUEST_INVALID: 'invalid_request',
  OAUTH_INVALID_CLIENT: 'invalid_client',
  OAUTH_INVALID_GRANT: 'invalid_grant',
  OAUTH_UNAUTHORIZED_CLIENT: 'unauthorized_client',
  OAUTH_UNSUPPORTED_GRANT_TYPE: 'unsupported_grant_type',
  OAUTH_INVALID_SCOPE: 'invalid_scope',
  AUTH_SCOPE_MISSING: 'insufficient_scope',
  RATE_LIMITED: 'too_many_requests',
  NOT_FOUND: 'not_found',
};

function fallbackTitle(status: number): string {
  return status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST';
}

/**
 * Renders a normalised error in a family's shape. Authentication failures (401) use the APS
 * gateway's shape in every family, with `WWW-Authenticate` as RFC 6750 §3 asks. `errorDocsUrl` is the
 * absolute URL of the error-code reference (`…/docs/errors`), which `moreInfo` and `type` link into.
 */
export function renderError(family: ErrorFamily, error: NormalisedError, requestId: string, errorDocsUrl: string): RenderedError {
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  const docsLink = `${errorDocsUrl}#${error.code.toLowerCase()}`;
  const gatewayCode = GATEWAY_CODES[error.code];
  if (gatewayCode) {
    headers['www-authenticate'] = 'Bearer error="invalid_token"';
    return {
      status: error.status,
      contentType: 'application/json; charset=utf-8',
      headers,
      body: { developerMessage: error.message, moreInfo: docsLink, errorCode: gatewayCode, requestId },
    };
  }
  // A valid token without the route's scope gets its family's 403 body (spec §1.1, issue 22), with the
  // RFC 6750 §3.1 challenge.
  if (error.code === 'AUTH_SCOPE_MISSING') headers['www-authenticate'] = 'Bearer error="insufficient_scope"';
  const internalExtras = error.unexpected ? { requestId } : {};
  switch (family) {
    case 'insights':
      return {
        status: error.status,
        contentType: 'application/json; charset=utf-8',
        headers,
        body: { title: INSIGHTS_TITLES[error.status] ?? fallbackTitle(error.status), detail: error.message, ...error.extras, ...internalExtras },
      };
    case 'tokenflex': {
      const code = TOKENFLEX_CODES[error.status] ?? (error.status >= 500 ? 'InternalServerError' : 'BadRequestError');
      return {
        status: error.status,
        contentType: 'application/json; charset=utf-8',
        headers,
        body: { Code: code, Message: `${code}: ${error.message}`, ...error.extras, ...internalExtras },
      };
    }
    case 'oauth': {
      // RFC 6749 §5.2: invalid_client is 401 with the scheme the client should have used.
      if (error.code === 'OAUTH_INVALID_CLIENT') headers['www-authenticate'] = 'Basic realm="usage-insights"';
      const oauthError = OAUTH_ERRORS[error.code] ?? (error.status >= 500 ? 'server_error' : 'invalid_request');
      // Token responses must not be cached (RFC 6749 §5.1); neither are their errors.
      headers['cache-control'] = 'no-store';
      return {
        status: error.status,
        contentType: 'application/json; charset=utf-8',
        headers,
        body: { error: oauthError, error_description: error.message, ...internalExtras },
      };
    }
    case 'problem':
      return {
        status: error.status,
        contentType: 'application/problem+json; charset=utf-8',
        headers,
        body: {
          type: `docs/errors.md#${error.code.toLowerCase()}`,
          title: INSIGHTS_TITLES[error.status] ?? fallbackTitle(error.status),
          status: error.status,
          detail: error.message,
          ...error.extras,
          ...internalExtras,
        },
      };
  }
}
