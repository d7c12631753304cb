import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { SigningKeys } from './keys.js';
import { SCOPES } from './scopes.js';
import { MAX_CLI_TOKEN_TTL_SECONDS } from './token-lifetimes.js';
import { mintAccessToken, type TokenSettings } from './tokens.js';

/** Client id recorded in tokens minted by the operator's CLI. */
export const CLI_CLIENT_ID = 'insights-cli';
export { MAX_CLI_TOKEN_TTL_SECONDS };

export interface UserTokenRequest {
  readonly email: string;
  readonly scopes: readonly string[];
  readonly ttlSeconds: number;
}

/** Mints an access token for an existing, active user (the `insights token` command). */
export async function issueUserToken(
  deps: { readonly store: Store; readonly keys: SigningKeys; readonly tokens: TokenSettings },
  request: UserTokenRequest,
): Promise<string> {
  const unknown = request.scopes.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0) {
    throw new AppError('REQUEST_INVALID', `Unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}; known scopes: ${SCOPES.join(', ')}.`);
  }
  if (!Number.isInteger(request.ttlSeconds) || request.ttlSeconds < 1 || request.ttlSeconds > MAX_CLI_TOKEN_TTL_SECONDS) {
    throw new AppError('REQUEST_INVALID', `The lifetime must be between 1 second and 365 days.`);
  }
  const user = await deps.store.findUserByEmail(request.email);
  if (!user) throw new AppError('NOT_FOUND', `No user has the e-mail address ${request.email}.`);
  if (user.status !== 'active') throw new AppError('REQUEST_INVALID', `The user ${request.email} is disabled.`);
  return mintAccessToken(deps.keys, deps.tokens, {
    subject: user.id,
    clientId: CLI_CLIENT_ID,
    scopes: request.scopes,
    ttlSeconds: request.ttlSeconds,
  });
}
