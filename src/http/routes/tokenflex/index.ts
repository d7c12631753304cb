import type { FastifyPluginAsync } from 'fastify';
import { describeCatalog, tokenflexCatalog } from '../../../catalog/index.js';
import { AppError } from '../../../errors.js';
import { useErrorFamily } from '../../errors/index.js';
import { principalOf, requireBearerToken, type AuthOptions } from '../../plugins/auth.js';
import type { UsageQueryService } from '../../../jobs/index.js';
import { catalogRoute, contractRoute, contractsRoute } from './schemas.js';

export interface TokenflexOptions extends AuthOptions {
  readonly queries: UsageQueryService;
}

/** Token Flex API (`/tokenflex/v1`, spec §4). */
export const tokenflexRoutes: FastifyPluginAsync<TokenflexOptions> = async (app, options) => {
  useErrorFamily(app, 'tokenflex');
  requireBearerToken(app, options);

  const catalog = describeCatalog(tokenflexCatalog);
  app.get('/catalog', { schema: catalogRoute }, async () => catalog);

  app.get('/contract', { schema: contractsRoute }, async (request) => {
    const principal = principalOf(request);
    return principal.user ? options.store.listManagedContracts(principal.user.id) : [];
  });

  app.get<{ Params: { contract_number: string } }>('/contract/:contract_number', { schema: contractRoute }, async (request) => {
    const contractNumber = request.params.contract_number;
    await principalOf(request).assertContract(contractNumber);
    const detail = await options.store.getContractDetail(contractNumber);
    // A managed contract that vanished between the two reads.
    if (!detail) throw new AppError('NOT_FOUND', `Contract ${contractNumber} does not exist.`);
    return detail;
  });
};
