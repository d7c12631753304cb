import type { Db, SqlDialect } from './dialect.js';
import type { PageRequest, Product, ProductDetail, ProductPatch } from '../contract/index.js';

const PRODUCT_COLUMNS = (d: SqlDialect) => `p.product_line_code, p.version, p.product_name, p.feature_code, p.daily_token_rate,
  ${d.isoDate('p.effective_from')} as effective_from, ${d.isoDate('p.effective_to')} as effective_to,
  l.seat_tokens_per_year`;
/** A version with its line's settings (a line without a row has none). */
const PRODUCTS = 'products p left join product_lines l on l.product_line_code = p.product_line_code';

function toProduct(row: Record<string, unknown>): ProductDetail {
  return Object.freeze({
    productLineCode: String(row.product_line_code),
    version: String(row.version),
    productName: String(row.product_name),
    featureCode: String(row.feature_code),
    dailyTokenRate: Number(row.daily_token_rate),
    seatTokensPerYear: row.seat_tokens_per_year === null || row.seat_tokens_per_year === undefined ? null : Number(row.seat_tokens_per_year),
    effectiveFrom: row.effective_from === null || row.effective_from === undefined ? null : String(row.effective_from),
    effectiveTo: row.effective_to === null || row.effective_to === undefined ? null : String(row.effective_to),
  });
}

export async function insertProduct(db: Db, product: Product): Promise<void> {
  await db.query(
    `insert into products (product_line_code, version, product_name, feature_code, daily_token_rate, effective_from, effective_to)
     values ($1, $2, $3, $4, $5, cast($6 as date), cast($7 as date))`,
    [product.productLineCode, product.version, product.productName, product.featureCode, product.dailyTokenRate,
      product.effectiveFrom, product.effectiveTo]);
}

export async function selectProduct(db: Db, productLineCode: string, version: string): Promise<ProductDetail | undefined> {
  const row = (await db.query(
    `select ${PRODUCT_COLUMNS(db.dialect)} from ${PRODUCTS} where p.product_line_code = $1 and p.version = $2`, [productLineCode, version])).rows[0];
  return row ? toProduct(row) : undefined;
}

export async function selectProductsPage(db: Db, page: PageRequest): Promise<ProductDetail[]> {
  const result = await db.query(
    `select ${PRODUCT_COLUMNS(db.dialect)} from ${PRODUCTS} order by p.product_line_code, p.version limit $1 offset $2`, [page.limit, page.offset]);
  return result.rows.map(toProduct);
}

export async function countProducts(db: Db): Promise<number> {
  const result = await db.query('select cast(count(*) as integer) as n from products');
  return Number(result.rows[0]?.n ?? 0);
}

/**
 * Sets the members of the version given (not the line's settings: upsertSeatPrice); false when there
 * is no such version. The effective dates may be set to null (open-ended), so for each a flag says
 * whether to touch it.
 */
export async function updateProductRow(db: Db, productLineCode: string, version: string, patch: ProductPatch): Promise<boolean> {
  const result = await db.query(
    `update products set product_name = coalesce($3, product_name), feature_code = coalesce($4, feature_code),
            daily_token_rate = coalesce($5, daily_token_rate),
            effective_from = case when $6 then cast($7 as date) else effective_from end,
            effective_to = case when $8 then cast($9 as date) else effective_to end
      where product_line_code = $1 and version = $2
      returning version`,
    [productLineCode, version, patch.productName ?? null, patch.featureCode ?? null, patch.dailyTokenRate ?? null,
      patch.effectiveFrom !== undefined, patch.effectiveFrom ?? null, patch.effectiveTo !== undefined, patch.effectiveTo ?? null]);
  return result.rows.length > 0;
}

export async function selectProductInUse(db: Db, productLineCode: string, version: string): Promise<boolean> {
  const result = await db.query(
    'select exists (select 1 from usage_records where product_line_code = $1 and product_version = $2) as in_use', [productLineCode, version]);
  return Boolean(result.rows[0]?.in_use);
}

export async function deleteProductRow(db: Db, productLineCode: string, version: string): Promise<boolean> {
  const result = await db.query(
    'delete from products where product_line_code = $1 and version = $2 returning version', [productLineCode, version]);
  return result.rows.length > 0;
}

/** Sets the seat price of a product line (every version of it); null clears it. */
export async function upsertSeatPrice(db: Db, productLineCode: string, seatTokensPerYear: number | null): Promise<void> {
  await db.query(
    `insert into product_lines (product_line_code, seat_tokens_per_year) values ($1, $2)
     on conflict (product_line_code) do update set seat_tokens_per_year = excluded.seat_tokens_per_year`,
    [productLineCode, seatTokensPerYear]);
}
