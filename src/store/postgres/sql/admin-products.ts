import type { PageRequest, Product, ProductPatch } from '../../store.js';
import { textOrNull, type Queryable } from './db.js';

const PRODUCT_COLUMNS = `product_line_code, version, product_name, feature_code, daily_token_rate,
  to_char(effective_from, 'YYYY-MM-DD') as effective_from, to_char(effective_to, 'YYYY-MM-DD') as effective_to`;

function toProduct(row: Record<string, unknown>): Product {
  return Object.freeze({
    productLineCode: String(row.product_line_code),
    version: String(row.version),
    productName: String(row.product_name),
    featureCode: String(row.feature_code),
    dailyTokenRate: Number(row.daily_token_rate),
    effectiveFrom: textOrNull(row.effective_from),
    effectiveTo: textOrNull(row.effective_to),
  });
}

export async function insertProduct(db: Queryable, product: Product): Promise<void> {
  await db.query(
    `insert into products (product_line_code, version, product_name, feature_code, daily_token_rate, effective_from, effective_to)
     values ($1, $2, $3, $4, $5, $6::date, $7::date)`,
    [product.productLineCode, product.version, product.productName, product.featureCode, product.dailyTokenRate,
      product.effectiveFrom, product.effectiveTo]);
}

export async function selectProduct(db: Queryable, productLineCode: string, version: string): Promise<Product | undefined> {
  const row = (await db.query(
    `select ${PRODUCT_COLUMNS} from products where product_line_code = $1 and version = $2`, [productLineCode, version])).rows[0];
  return row ? toProduct(row) : undefined;
}

export async function selectProductsPage(db: Queryable, page: PageRequest): Promise<Product[]> {
  const result = await db.query(
    `select ${PRODUCT_COLUMNS} from products order by product_line_code, version limit $1 offset $2`, [page.limit, page.offset]);
  return result.rows.map(toProduct);
}

export async function countProducts(db: Queryable): Promise<number> {
  return Number((await db.query('select count(*)::int as n from products')).rows[0]?.n ?? 0);
}

/**
 * Sets the members given and returns the row after the change. The effective dates may be set to
 * null (open-ended), so for each a flag says whether to touch it.
 */
export async function updateProductRow(db: Queryable, productLineCode: string, version: string, patch: ProductPatch): Promise<Product | undefined> {
  const row = (await db.query(
    `update products set product_name = coalesce($3, product_name), feature_code = coalesce($4, feature_code),
            daily_token_rate = coalesce($5, daily_token_rate),
            effective_from = case when $6 then $7::date else effective_from end,
            effective_to = case when $8 then $9::date else effective_to end
      where product_line_code = $1 and version = $2
      returning ${PRODUCT_COLUMNS}`,
    [productLineCode, version, patch.productName ?? null, patch.featureCode ?? null, patch.dailyTokenRate ?? null,
      patch.effectiveFrom !== undefined, patch.effectiveFrom ?? null, patch.effectiveTo !== undefined, patch.effectiveTo ?? null])).rows[0];
  return row ? toProduct(row) : undefined;
}

export async function selectProductInUse(db: Queryable, productLineCode: string, version: string): Promise<boolean> {
  const result = await db.query(
    'select exists (select 1 from usage_records where product_line_code = $1 and product_version = $2) as in_use', [productLineCode, version]);
  return Boolean(result.rows[0]?.in_use);
}

export async function deleteProductRow(db: Queryable, productLineCode: string, version: string): Promise<boolean> {
  return (await db.query('delete from products where product_line_code = $1 and version = $2', [productLineCode, version])).rowCount === 1;
}
