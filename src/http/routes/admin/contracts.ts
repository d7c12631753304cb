import type { FastifyInstance } from 'fastify';
import { createContract, deleteContract, getContract, listContracts, updateContract } from '../../../admin/index.js';
import type { Store } from '../../../store/index.js';
import { typedRoutes } from '../../type-provider.js';
import { created, pageReply } from './paging.js';
import { createContractRoute, deleteContractRoute, getContractRoute, listContractsRoute, updateContractRoute } from './schemas.js';

/** `/admin/v1/contracts` (spec §6): Token Flex contracts with years, token pools, enrichment categories and managers. */
export function registerAdminContracts(untyped: FastifyInstance, store: Store): void {
  // Body, query and params types come from the route schemas (schemas.ts), never restated.
  const app = typedRoutes(untyped);
  app.post('/contracts', { schema: createContractRoute }, async (request, reply) => {
    const contract = await createContract(store, request.body);
    return created(reply, `/admin/v1/contracts/${encodeURIComponent(contract.contractNumber)}`, contract);
  });

  app.get('/contracts', { schema: listContractsRoute }, async (request) =>
    pageReply(await listContracts(store, request.query), request.query, (contract) => contract));

  app.get('/contracts/:contractNumber', { schema: getContractRoute }, async (request) =>
    getContract(store, request.params.contractNumber));

  app.patch('/contracts/:contractNumber', { schema: updateContractRoute }, async (request) =>
    updateContract(store, request.params.contractNumber, request.body));

  app.delete('/contracts/:contractNumber', { schema: deleteContractRoute }, async (request, reply) => {
    await deleteContract(store, request.params.contractNumber);
    return reply.code(204).send();
  });
}
