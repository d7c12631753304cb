import type { PersonalDataPolicy } from '../../contract/index.js';
import type { Queryable } from './db.js';

const KEY = 'personal_data_hash_key';

/**
 * Whether any team has its personal-data switch off, and the installation's hash key. The key is
 * created once: concurrent first calls insert with `on conflict do nothing` and all read the winner.
 */
export async function selectPersonalDataPolicy(db: Queryable, newKey: () => string): Promise<PersonalDataPolicy> {
  const read = async () => (await db.query(
    `select (select value from app_settings where key = $1) as hash_key,
            exists (select 1 from teams where not personal_data) as hidden`, [KEY])).rows[0];
  let row = await read();
  if (row?.hash_key == null) {
    await db.query('insert into app_settings (key, value) values ($1, $2) on conflict (key) do nothing', [KEY, newKey()]);
    row = await read();
  }
  return Object.freeze({ hidden: Boolean(row?.hidden), hashKey: String(row?.hash_key) });
}
