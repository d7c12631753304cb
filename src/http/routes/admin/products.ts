import type { FastifyInstance } from 'fastify';
import { createProduct, deleteProduct, getProduct, listProducts, updateProduct, type ProductInput } from '../../../admin/index.js';
import type { PageRequest, ProductPatch, Store } from '../../../store/index.js';
import { created, pageReply } from './paging.js';
import { createProductRoute, deleteProductRoute, getProductRoute, listProductsRoute, updateProductRoute } from './schemas.js';

type ProductParams = { Params: { productLineCode: string; version: string } };

/** `/admin/v1/products` (spec §6): product versions and the daily token rates rating charges. */
export function registerAdminProducts(app: FastifyInstance, store: Store): void {
  app.post<{ Body: ProductInput }>('/products', { schema: createProductRoute }, async (request, reply) => {
    const product = await createProduct(store, request.body);
    return created(reply, `/admin/v1/products/${encodeURIComponent(product.productLineCode)}/${encodeURIComponent(product.version)}`, product);
  });

  app.get<{ Querystring: PageRequest }>('/products', { schema: listProductsRoute }, async (request) =>
    pageReply(await listProducts(store, request.query), request.query, (product) => product));

  app.get<ProductParams>('/products/:productLineCode/:version', { schema: getProductRoute }, async (request) =>
    getProduct(store, request.params.productLineCode, request.params.version));

  app.patch<ProductParams & { Body: ProductPatch }>('/products/:productLineCode/:version', { schema: updateProductRoute }, async (request) =>
    updateProduct(store, request.params.productLineCode, request.params.version, request.body));

  app.delete<ProductParams>('/products/:productLineCode/:version', { schema: deleteProductRoute }, async (request, reply) => {
    await deleteProduct(store, request.params.productLineCode, request.params.version);
    return reply.code(204).send();
  });
}
