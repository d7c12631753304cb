import type { Db } from './dialect.js';
import type { PersonalDataPolicy } from '../contract/index.js';

const KEY = 'personal_data_hash_key';

/**
 * Whether any team has its personal-data switch off (null counts as on), and the installation's
 * hash key, created once (`on conflict do nothing`: every caller reads the one that won).
 */
export async function selectPersonalDataPolicy(db: Db, newKey: () => string): Promise<PersonalDataPolicy> {
  const read = async () => (await db.query(
    `select (select value from app_settings where key = $1) as hash_key,
            exists (select 1 from teams where personal_data = false) as hidden`, [KEY])).rows[0];
  let row = await read();
  if (row?.hash_key == null) {
    await db.query('insert into app_settings (key, value) values ($1, $2) on conflict (key) do nothing', [KEY, newKey()]);
    row = await read();
  }
  return Object.freeze({ hidden: Boolean(row?.hidden), hashKey: String(row?.hash_key) });
}
