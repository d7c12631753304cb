import type { FastifyInstance } from 'fastify';
import {
  createSubscription, deleteSubscription, getSubscription, listSubscriptions, updateSubscription, type SubscriptionInput,
} from '../../../admin/index.js';
import type { PageRequest, Store, SubscriptionFilter, SubscriptionPatch } from '../../../store/index.js';
import { created, pageReply } from './paging.js';
import {
  createSubscriptionRoute, deleteSubscriptionRoute, getSubscriptionRoute, listSubscriptionsRoute, updateSubscriptionRoute,
} from './schemas.js';

type SubscriptionParams = { Params: { subscriptionId: string } };

/** `/admin/v1/subscriptions` (spec §6): what each team bought, with its seat assignments. */
export function registerAdminSubscriptions(app: FastifyInstance, store: Store): void {
  app.post<{ Body: SubscriptionInput }>('/subscriptions', { schema: createSubscriptionRoute }, async (request, reply) => {
    const subscription = await createSubscription(store, request.body);
    return created(reply, `/admin/v1/subscriptions/${encodeURIComponent(subscription.id)}`, subscription);
  });

  app.get<{ Querystring: PageRequest & SubscriptionFilter }>('/subscriptions', { schema: listSubscriptionsRoute }, async (request) => {
    const { offset, limit, teamId, contractNumber } = request.query;
    const filter = { ...(teamId !== undefined ? { teamId } : {}), ...(contractNumber !== undefined ? { contractNumber } : {}) };
    return pageReply(await listSubscriptions(store, filter, { offset, limit }), { offset, limit }, (subscription) => subscription);
  });

  app.get<SubscriptionParams>('/subscriptions/:subscriptionId', { schema: getSubscriptionRoute }, async (request) =>
    getSubscription(store, request.params.subscriptionId));

  app.patch<SubscriptionParams & { Body: SubscriptionPatch }>('/subscriptions/:subscriptionId', { schema: updateSubscriptionRoute }, async (request) =>
    updateSubscription(store, request.params.subscriptionId, request.body));

  app.delete<SubscriptionParams>('/subscriptions/:subscriptionId', { schema: deleteSubscriptionRoute }, async (request, reply) => {
    await deleteSubscription(store, request.params.subscriptionId);
    return reply.code(204).send();
  });
}
