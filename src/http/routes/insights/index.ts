import type { FastifyPluginAsync } from 'fastify';
import { describeCatalog, insightsCatalog } from '../../../catalog/index.js';
import { useErrorFamily } from '../../errors/index.js';
import { useLenientJsonBodies, useLenientQuery } from '../../lenient-requests.js';
import { principalOf, requireBearerToken, type AuthOptions } from '../../plugins/auth.js';
import type { InsightsExportService } from '../../../exports/index.js';
import { registerInsightsExports } from './exports.js';
import { registerInsightsQueries } from './queries.js';
import { catalogRoute, contextSubscriptionsRoute, contextsRoute } from './schemas.js';
import type { UsageQueryService } from '../../../jobs/index.js';

export interface InsightsOptions extends AuthOptions {
  readonly queries: UsageQueryService;
  /** The submit hold (spec §3.2), in milliseconds; 0: none. */
  readonly submitHoldMs: number;
  readonly insightsExports?: InsightsExportService;
}

/** Insights API (`/insights/v1`, spec §3). */
export const insightsRoutes: FastifyPluginAsync<InsightsOptions> = async (app, options) => {
  useErrorFamily(app, 'insights');
  useLenientQuery(app);
  useLenientJsonBodies(app);
  requireBearerToken(app, options);

  const catalog = describeCatalog(insightsCatalog);
  app.get('/catalog', { schema: catalogRoute }, async () => catalog);

  app.get('/contexts', { schema: contextsRoute }, async (request) => {
    const principal = principalOf(request);
    if (!principal.user) return [];
    const teams = await options.store.listAdministeredTeams(principal.user.id);
    return teams.map((team) => ({ contextId: team.teamId, alias: team.name, reportingBenefits: [...team.reportingBenefits] }));
  });

  app.get<{ Params: { contextId: string } }>('/contexts/:contextId/subscriptions', { schema: contextSubscriptionsRoute }, async (request) => {
    const { contextId } = request.params;
    await principalOf(request).assertTeam(contextId);
    const subscriptions = [];
    // A team holds a handful of subscriptions; the pages only bound one read.
    for (let offset = 0; ; offset += 1000) {
      const page = await options.store.listSubscriptions({ teamId: contextId }, { offset, limit: 1000 });
      subscriptions.push(...page.items);
      if (page.items.length < 1000 || offset + 1000 >= page.total) break;
    }
    return subscriptions.map((s) => ({
      subscriptionId: s.id, contractNumber: s.contractNumber, productLineCode: s.productLineCode, productName: s.productName,
      offeringType: s.offeringType, term: s.term, status: s.status, quantity: s.quantity, assignedSeats: s.seats.length,
      startDate: s.startDate, endDate: s.endDate,
    }));
  });

  registerInsightsQueries(app, options.queries, options.submitHoldMs);
  if (options.insightsExports) registerInsightsExports(app, options.insightsExports, options.store);
};
