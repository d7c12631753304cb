import type { FastifyPluginAsync } from 'fastify';
import {
  contractAdvice, contractConcurrency, contractForecast, teamIdleSeats, type ConcurrencyGranularity,
} from '../../../analytics/index.js';
import { personalValueHasher } from '../../../privacy/index.js';
import { useErrorFamily } from '../../errors/index.js';
import { principalOf, requireBearerToken, type AuthOptions } from '../../plugins/auth.js';
import { adviceRoute, concurrencyRoute, forecastRoute, idleSeatsRoute } from './schemas.js';

export interface AnalyticsOptions extends AuthOptions {
  /** The clock "today" and "yesterday" come from (tests pass their own). */
  readonly now?: () => Date;
}

type ContractParams = { Params: { contractNumber: string } };

/**
 * Licence analytics (`/analytics/v1`, issue 17; docs/analytics.md): our own API, so its errors are
 * problem+json like the admin API's. Every route needs `data:read` (the default for GET) and is
 * scoped like the rest: a contract's answers to its managers, a team's to its administrators,
 * 403 ACCESS_DENIED to anyone else (an unknown contract or team alike).
 */
export const analyticsRoutes: FastifyPluginAsync<AnalyticsOptions> = async (app, options) => {
  useErrorFamily(app, 'problem');
  requireBearerToken(app, options);
  const now = options.now ?? (() => new Date());
  const store = options.store;

  app.get<ContractParams & { Querystring: { contractYear?: number } }>('/contracts/:contractNumber/forecast', { schema: forecastRoute }, async (request) => {
    await principalOf(request).assertContract(request.params.contractNumber);
    return contractForecast(store, request.params.contractNumber, { contractYear: request.query.contractYear, now: now() });
  });

  app.get<ContractParams & { Querystring: { from?: string; to?: string } }>('/contracts/:contractNumber/advice', { schema: adviceRoute }, async (request) => {
    await principalOf(request).assertContract(request.params.contractNumber);
    // The personal-data switch (issue 18): user names as hashes while any team hides them. Read
    // beside the answer's own reads, not after them.
    const [advice, hash] = await Promise.all([
      contractAdvice(store, request.params.contractNumber, { from: request.query.from, to: request.query.to, now: now() }), personalValueHasher(store),
    ]);
    return hash ? { ...advice, recommendations: advice.recommendations.map((r) => ({ ...r, userName: String(hash(r.userName)) })) } : advice;
  });

  app.get<{ Params: { teamId: string }; Querystring: { days: number } }>('/teams/:teamId/idle-seats', { schema: idleSeatsRoute }, async (request) => {
    await principalOf(request).assertTeam(request.params.teamId);
    const [idle, hash] = await Promise.all([teamIdleSeats(store, request.params.teamId, { days: request.query.days, now: now() }), personalValueHasher(store)]);
    return hash ? { ...idle, seats: idle.seats.map((seat) => ({ ...seat, userName: String(hash(seat.userName)) })) } : idle;
  });

  app.get<ContractParams & {
    Querystring: { productLineCode?: string; from?: string; to?: string; granularity: ConcurrencyGranularity; top: number };
  }>('/contracts/:contractNumber/concurrency', { schema: concurrencyRoute }, async (request) => {
    await principalOf(request).assertContract(request.params.contractNumber);
    const { productLineCode, from, to, granularity, top } = request.query;
    return contractConcurrency(store, request.params.contractNumber, { productLineCode, from, to, granularity, top, now: now() });
  });
};
