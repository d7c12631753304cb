import type { CredentialPurgeReport, OAuthStore } from '../store/index.js';
import { REFRESH_TOKEN_TTL_SECONDS } from './oauth-provider.js';

export interface CredentialHousekeepingOptions {
  /** How often to purge; 15 minutes by default. */
  readonly intervalMs?: number;
  readonly now?: () => Date;
  readonly log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export interface CredentialHousekeeping {
  /** One purge now (also what the timer runs). */
  runOnce(): Promise<CredentialPurgeReport>;
  stop(): void;
}

/**
 * Deletes expired authorization codes, sign-in sessions, revocation-list rows and refresh tokens
 * on a timer (issue 5), so those tables hold what is live and nothing more. A used code is kept
 * for the refresh-token lifetime after it expired: presenting it again within that time is still
 * recognised as a replay and revokes what it bought (RFC 6749 §4.1.2). Every process may run
 * this; the deletes are idempotent.
 */
export function startCredentialHousekeeping(store: OAuthStore, options: CredentialHousekeepingOptions = {}): CredentialHousekeeping {
  const now = options.now ?? (() => new Date());
  const runOnce = async () => {
    const at = now();
    return store.purgeExpiredCredentials(at, new Date(at.getTime() - REFRESH_TOKEN_TTL_SECONDS * 1000));
  };
  const tick = async () => {
    try {
      const report = await runOnce();
      if (Object.values(report).some((n) => n > 0)) options.log?.info(report, 'deleted expired sign-in credentials');
    } catch (error) {
      options.log?.warn({ err: error }, 'credential housekeeping failed; will retry');
    }
  };
  const timer = setInterval(() => void tick(), options.intervalMs ?? 15 * 60_000);
  timer.unref();
  void tick();
  return { runOnce, stop: () => clearInterval(timer) };
}
