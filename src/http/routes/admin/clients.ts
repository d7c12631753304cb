import type { FastifyInstance } from 'fastify';
import { createClient, deleteClient, rotateClientSecret, updateClient } from '../../../auth/index.js';
import { AppError } from '../../../errors.js';
import type { OAuthClient, Store } from '../../../store/index.js';
import { typedRoutes } from '../../type-provider.js';
import { created, pageReply } from './paging.js';
import {
  createClientRoute, deleteClientRoute, getClientRoute, listClientsRoute, rotateClientSecretRoute, updateClientRoute,
} from './schemas.js';

/** A client as the admin API shows one: the secret hash stays in the store. */
function describe(client: OAuthClient) {
  return {
    clientId: client.id, name: client.name, redirectUris: client.redirectUris, isPublic: client.isPublic,
    boundUserId: client.boundUserId, scopes: client.scopes, createdAt: client.createdAt,
  };
}

async function existing(store: Store, clientId: string): Promise<OAuthClient> {
  const client = await store.findOAuthClient(clientId);
  if (!client) throw new AppError('NOT_FOUND', `No OAuth client has the id ${clientId}.`);
  return client;
}

/** `/admin/v1/clients` (spec §2, §6): the apps that obtain tokens from the authentication API. */
export function registerAdminClients(untyped: FastifyInstance, store: Store): void {
  // Body, query and params types come from the route schemas (schemas.ts), never restated.
  const app = typedRoutes(untyped);
  app.post('/clients', { schema: createClientRoute }, async (request, reply) => {
    const body = request.body;
    const { clientId, clientSecret } = await createClient(store, {
      name: body.name, redirectUris: body.redirectUris ?? [], isPublic: body.isPublic, boundUserId: body.boundUserId ?? null,
    });
    const client = describe(await existing(store, clientId));
    return created(reply, `/admin/v1/clients/${encodeURIComponent(clientId)}`, clientSecret ? { ...client, clientSecret } : client);
  });

  app.get('/clients', { schema: listClientsRoute }, async (request) =>
    pageReply(await store.listOAuthClients(request.query), request.query, describe));

  app.get('/clients/:clientId', { schema: getClientRoute }, async (request) =>
    describe(await existing(store, request.params.clientId)));

  app.patch('/clients/:clientId', { schema: updateClientRoute }, async (request) =>
    describe(await updateClient(store, request.params.clientId, request.body)));

  app.delete('/clients/:clientId', { schema: deleteClientRoute }, async (request, reply) => {
    await deleteClient(store, request.params.clientId);
    return reply.code(204).send();
  });

  app.post('/clients/:clientId/secret', { schema: rotateClientSecretRoute }, async (request) => {
    const { client, clientSecret } = await rotateClientSecret(store, request.params.clientId);
    return { ...describe(client), clientSecret };
  });
}
