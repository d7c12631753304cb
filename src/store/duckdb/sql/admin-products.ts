import type { DuckDBConnection } from '@duckdb/node-api';
import type { PageRequest, Product, ProductPatch } from '../../store.js';

const PRODUCT_COLUMNS = `product_line_code, version, product_name, feature_code, daily_token_rate,
  strftime(effective_from, '%Y-%m-%d') as effective_from, strftime(effective_to, '%Y-%m-%d') as effective_to`;

function toProduct(row: Record<string, unknown>): Product {
  return Object.freeze({
    productLineCode: String(row.product_line_code),
    version: String(row.version),
    productName: String(row.product_name),
    featureCode: String(row.feature_code),
    dailyTokenRate: Number(row.daily_token_rate),
    effectiveFrom: row.effective_from === null || row.effective_from === undefined ? null : String(row.effective_from),
    effectiveTo: row.effective_to === null || row.effective_to === undefined ? null : String(row.effective_to),
  });
}

export async function insertProduct(connection: DuckDBConnection, product: Product): Promise<void> {
  await connection.run(
    `insert into products (product_line_code, version, product_name, feature_code, daily_token_rate, effective_from, effective_to)
     values ($1, $2, $3, $4, $5, cast($6 as date), cast($7 as date))`,
    [product.productLineCode, product.version, product.productName, product.featureCode, product.dailyTokenRate,
      product.effectiveFrom, product.effectiveTo]);
}

export async function selectProduct(connection: DuckDBConnection, productLineCode: string, version: string): Promise<Product | undefined> {
  const row = (await connection.runAndReadAll(
    `select ${PRODUCT_COLUMNS} from products where product_line_code = $1 and version = $2`, [productLineCode, version])).getRowObjectsJson()[0];
  return row ? toProduct(row) : undefined;
}

export async function selectProductsPage(connection: DuckDBConnection, page: PageRequest): Promise<Product[]> {
  const reader = await connection.runAndReadAll(
    `select ${PRODUCT_COLUMNS} from products order by product_line_code, version limit $1 offset $2`, [page.limit, page.offset]);
  return reader.getRowObjectsJson().map(toProduct);
}

export async function countProducts(connection: DuckDBConnection): Promise<number> {
  const reader = await connection.runAndReadAll('select cast(count(*) as integer) as n from products');
  return Number(reader.getRowObjectsJson()[0]?.n ?? 0);
}

/**
 * Sets the members given and returns the row after the change. The effective dates may be set to
 * null (open-ended), so for each a flag says whether to touch it.
 */
export async function updateProductRow(connection: DuckDBConnection, productLineCode: string, version: string, patch: ProductPatch): Promise<Product | undefined> {
  const reader = await connection.runAndReadAll(
    `update products set product_name = coalesce($3, product_name), feature_code = coalesce($4, feature_code),
            daily_token_rate = coalesce($5, daily_token_rate),
            effective_from = case when $6 then cast($7 as date) else effective_from end,
            effective_to = case when $8 then cast($9 as date) else effective_to end
      where product_line_code = $1 and version = $2
      returning ${PRODUCT_COLUMNS}`,
    [productLineCode, version, patch.productName ?? null, patch.featureCode ?? null, patch.dailyTokenRate ?? null,
      patch.effectiveFrom !== undefined, patch.effectiveFrom ?? null, patch.effectiveTo !== undefined, patch.effectiveTo ?? null]);
  const row = reader.getRowObjectsJson()[0];
  return row ? toProduct(row) : undefined;
}

export async function selectProductInUse(connection: DuckDBConnection, productLineCode: string, version: string): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    'select exists (select 1 from usage_records where product_line_code = $1 and product_version = $2) as in_use', [productLineCode, version]);
  return Boolean(reader.getRowObjectsJson()[0]?.in_use);
}

export async function deleteProductRow(connection: DuckDBConnection, productLineCode: string, version: string): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    'delete from products where product_line_code = $1 and version = $2 returning version', [productLineCode, version]);
  return reader.getRowObjectsJson().length > 0;
}
