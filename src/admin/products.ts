import { AppError } from '../errors.js';
import type { Page, PageRequest, Product, ProductPatch, Store } from '../store/index.js';
import { checkOrder, createOnce, invalid, notFound } from './checks.js';

export interface ProductInput {
  readonly productLineCode: string;
  readonly version: string;
  readonly productName: string;
  readonly featureCode: string;
  /** Tokens a user is charged for a day of use (spec §6). */
  readonly dailyTokenRate: number;
  readonly effectiveFrom?: string | null;
  readonly effectiveTo?: string | null;
}

function checkProduct(product: Product): void {
  if (!product.productName.trim()) throw invalid('body/productName', 'must not be empty.');
  checkOrder('body/effectiveTo', product.effectiveFrom, product.effectiveTo);
}

/** Adds a product version with its daily token rate, which rating uses from then on. */
export async function createProduct(store: Store, input: ProductInput): Promise<Product> {
  const product: Product = {
    productLineCode: input.productLineCode, version: input.version, productName: input.productName.trim(), featureCode: input.featureCode,
    dailyTokenRate: input.dailyTokenRate, effectiveFrom: input.effectiveFrom ?? null, effectiveTo: input.effectiveTo ?? null,
  };
  checkProduct(product);
  return createOnce(() => store.findProduct(product.productLineCode, product.version), () => store.createProduct(product),
    `A product ${product.productLineCode} version ${product.version}`);
}

export async function getProduct(store: Store, productLineCode: string, version: string): Promise<Product> {
  const product = await store.findProduct(productLineCode, version);
  if (!product) throw notFound(`product ${productLineCode} has the version ${version}`);
  return product;
}

export function listProducts(store: Store, page: PageRequest): Promise<Page<Product>> {
  return store.listProducts(page);
}

export async function updateProduct(store: Store, productLineCode: string, version: string, patch: ProductPatch): Promise<Product> {
  checkProduct({ ...(await getProduct(store, productLineCode, version)), ...patch });
  const updated = await store.updateProduct(productLineCode, version, {
    ...patch, ...(patch.productName !== undefined ? { productName: patch.productName.trim() } : {}),
  });
  if (!updated) throw notFound(`product ${productLineCode} has the version ${version}`);
  return updated;
}

export async function deleteProduct(store: Store, productLineCode: string, version: string): Promise<void> {
  const outcome = await store.deleteProduct(productLineCode, version);
  if (outcome === 'not-found') throw notFound(`product ${productLineCode} has the version ${version}`);
  if (outcome === 'in-use') {
    throw new AppError('CONFLICT', `Usage records name ${productLineCode} version ${version}; it cannot be deleted (set effectiveTo instead).`);
  }
}
