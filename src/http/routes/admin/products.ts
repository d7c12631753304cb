import type { FastifyInstance } from 'fastify';
import { createProduct, deleteProduct, getProduct, listProducts, updateProduct } from '../../../admin/index.js';
import type { Store } from '../../../store/index.js';
import { typedRoutes } from '../../type-provider.js';
import { created, pageReply } from './paging.js';
import { createProductRoute, deleteProductRoute, getProductRoute, listProductsRoute, updateProductRoute } from './schemas.js';

/** `/admin/v1/products` (spec §6): product versions and the daily token rates rating charges. */
export function registerAdminProducts(untyped: FastifyInstance, store: Store): void {
  // Body, query and params types come from the route schemas (schemas.ts), never restated.
  const app = typedRoutes(untyped);
  app.post('/products', { schema: createProductRoute }, async (request, reply) => {
    const product = await createProduct(store, request.body);
    return created(reply, `/admin/v1/products/${encodeURIComponent(product.productLineCode)}/${encodeURIComponent(product.version)}`, product);
  });

  app.get('/products', { schema: listProductsRoute }, async (request) =>
    pageReply(await listProducts(store, request.query), request.query, (product) => product));

  app.get('/products/:productLineCode/:version', { schema: getProductRoute }, async (request) =>
    getProduct(store, request.params.productLineCode, request.params.version));

  app.patch('/products/:productLineCode/:version', { schema: updateProductRoute }, async (request) =>
    updateProduct(store, request.params.productLineCode, request.params.version, request.body));

  app.delete('/products/:productLineCode/:version', { schema: deleteProductRoute }, async (request, reply) => {
    await deleteProduct(store, request.params.productLineCode, request.params.version);
    return reply.code(204).send();
  });
}
