import type { FastifyInstance } from 'fastify';
import {
  createSubscription, deleteSubscription, getSubscription, listSubscriptions, updateSubscription,
} from '../../../admin/index.js';
import type { Store } from '../../../store/index.js';
import { typedRoutes } from '../../type-provider.js';
import { created, pageReply } from './paging.js';
import {
  createSubscriptionRoute, deleteSubscriptionRoute, getSubscriptionRoute, listSubscriptionsRoute, updateSubscriptionRoute,
} from './schemas.js';

/** `/admin/v1/subscriptions` (spec §6): what each team bought, with its seat assignments. */
export function registerAdminSubscriptions(untyped: FastifyInstance, store: Store): void {
  // Body, query and params types come from the route schemas (schemas.ts), never restated.
  const app = typedRoutes(untyped);
  app.post('/subscriptions', { schema: createSubscriptionRoute }, async (request, reply) => {
    const subscription = await createSubscription(store, request.body);
    return created(reply, `/admin/v1/subscriptions/${encodeURIComponent(subscription.id)}`, subscription);
  });

  app.get('/subscriptions', { schema: listSubscriptionsRoute }, async (request) => {
    const { offset, limit, teamId, contractNumber } = request.query;
    const filter = { ...(teamId !== undefined ? { teamId } : {}), ...(contractNumber !== undefined ? { contractNumber } : {}) };
    return pageReply(await listSubscriptions(store, filter, { offset, limit }), { offset, limit }, (subscription) => subscription);
  });

  app.get('/subscriptions/:subscriptionId', { schema: getSubscriptionRoute }, async (request) =>
    getSubscription(store, request.params.subscriptionId));

  app.patch('/subscriptions/:subscriptionId', { schema: updateSubscriptionRoute }, async (request) =>
    updateSubscription(store, request.params.subscriptionId, request.body));

  app.delete('/subscriptions/:subscriptionId', { schema: deleteSubscriptionRoute }, async (request, reply) => {
    await deleteSubscription(store, request.params.subscriptionId);
    return reply.code(204).send();
  });
}
