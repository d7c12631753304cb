import { AppError } from '../errors.js';
import type { NewProduct, Page, PageRequest, ProductDetail, ProductPatch, Store } from '../store/index.js';
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
  /**
   * What a subscription seat of the product line costs in tokens a year (the seat-or-Flex advice);
   * a setting of the line: giving it sets it for every version. Absent: the line's stays as it is.
   */
  readonly seatTokensPerYear?: number | null;
}

function checkProduct(product: NewProduct): void {
  if (!product.productName.trim()) throw invalid('body/productName', 'must not be empty.');
  checkOrder('body/effectiveTo', product.effectiveFrom, product.effectiveTo);
}

/** Adds a product version with its daily token rate, which rating uses from then on. */
export async function createProduct(store: Store, input: ProductInput): Promise<ProductDetail> {
  const product: NewProduct = {
    productLineCode: input.productLineCode, version: input.version, productName: input.productName.trim(), featureCode: input.featureCode,
    dailyTokenRate: input.dailyTokenRate, effectiveFrom: input.effectiveFrom ?? null, effectiveTo: input.effectiveTo ?? null,
    ...(input.seatTokensPerYear !== undefined ? { seatTokensPerYear: input.seatTokensPerYear } : {}),
  };
  checkProduct(product);
  return createOnce(() => store.findProduct(product.productLineCode, product.version), () => store.createProduct(product),
    `A product ${product.productLineCode} version ${product.version}`);
}

export async function getProduct(store: Store, productLineCode: string, version: string): Promise<ProductDetail> {
  const product = await store.findProduct(productLineCode, version);
  if (!product) throw notFound(`product ${productLineCode} has the version ${version}`);
  return product;
}

export function listProducts(store: Store, page: PageRequest): Promise<Page<ProductDetail>> {
  return store.listProducts(page);
}

export async function updateProduct(store: Store, productLineCode: string, version: string, patch: ProductPatch): Promise<ProductDetail> {
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

/**
 * Sets the seat price of a product line (every version of it; null clears it): the CLI's
 * `insights product set-seat-price`. Through a version of the line, as the admin API does.
 */
export async function setSeatPrice(store: Store, productLineCode: string, seatTokensPerYear: number | null): Promise<ProductDetail[]> {
  if (seatTokensPerYear !== null && !(Number.isFinite(seatTokensPerYear) && seatTokensPerYear >= 0)) {
    throw invalid('seatTokensPerYear', 'must be a number from 0 up, or null.');
  }
  const versions = (await everyProduct(store)).filter((p) => p.productLineCode === productLineCode);
  if (versions.length === 0) throw notFound(`product line ${productLineCode} has a version`);
  await updateProduct(store, productLineCode, versions[0]!.version, { seatTokensPerYear });
  return (await everyProduct(store)).filter((p) => p.productLineCode === productLineCode);
}

async function everyProduct(store: Store): Promise<ProductDetail[]> {
  const items: ProductDetail[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await store.listProducts({ offset, limit: 1000 });
    items.push(...page.items);
    if (page.items.length < 1000) return items;
  }
}
