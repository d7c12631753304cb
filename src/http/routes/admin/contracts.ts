import type { FastifyInstance } from 'fastify';
import { createContract, deleteContract, getContract, listContracts, updateContract, type ContractInput } from '../../../admin/index.js';
import type { ContractPatch, PageRequest, Store } from '../../../store/index.js';
import { created, pageReply } from './paging.js';
import { createContractRoute, deleteContractRoute, getContractRoute, listContractsRoute, updateContractRoute } from './schemas.js';

type ContractParams = { Params: { contractNumber: string } };

/** `/admin/v1/contracts` (spec §6): Token Flex contracts with years, token pools, enrichment categories and managers. */
export function registerAdminContracts(app: FastifyInstance, store: Store): void {
  app.post<{ Body: ContractInput }>('/contracts', { schema: createContractRoute }, async (request, reply) => {
    const contract = await createContract(store, request.body);
    return created(reply, `/admin/v1/contracts/${encodeURIComponent(contract.contractNumber)}`, contract);
  });

  app.get<{ Querystring: PageRequest }>('/contracts', { schema: listContractsRoute }, async (request) =>
    pageReply(await listContracts(store, request.query), request.query, (contract) => contract));

  app.get<ContractParams>('/contracts/:contractNumber', { schema: getContractRoute }, async (request) =>
    getContract(store, request.params.contractNumber));

  app.patch<ContractParams & { Body: ContractPatch }>('/contracts/:contractNumber', { schema: updateContractRoute }, async (request) =>
    updateContract(store, request.params.contractNumber, request.body));

  app.delete<ContractParams>('/contracts/:contractNumber', { schema: deleteContractRoute }, async (request, reply) => {
    await deleteContract(store, request.params.contractNumber);
    return reply.code(204).send();
  });
}
