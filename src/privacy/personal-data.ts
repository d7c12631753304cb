import { createHmac } from 'node:crypto';
import { insightsCatalog, tokenflexCatalog } from '../catalog/index.js';
import type { PersonalDataPolicy, Store, UsageValueColumn } from '../store/index.js';

/**
 * The personal-data switch (issue 18), applied in one place: where answers and exports are produced.
 *
 * A team can turn personal data off. While any team has it off, every Insights and Token Flex
 * answer and export shows a stable hash instead of each personal value, for every team: Autodesk
 * does the same, since a user can belong to several teams and a per-team mix would leak by
 * comparison. The personal columns are the catalogues' personal fields (names, e-mail, login,
 * profile image, machine name); report columns use the same names.
 */
const PERSONAL_COLUMNS: ReadonlySet<string> = new Set([...insightsCatalog.fields.values(), ...tokenflexCatalog.fields.values()]
  .filter((field) => field.personal).map((field) => field.name));

/**
 * A value as a stable pseudonym: the HMAC-SHA-256 of its text under the installation's key, as 32
 * hex digits (the length of `hashedUserId`). Keyed, so a list of known e-mail addresses cannot be
 * hashed to find who is who (a plain MD5 could); the same value always gives the same hash, so
 * rows of one person still group together. Empty values stay empty.
 */
export function hashPersonalValue(hashKey: string, value: unknown): unknown {
  if (value === null || value === undefined || value === '') return value;
  return createHmac('sha256', hashKey).update(String(value)).digest('hex').slice(0, 32);
}

/** Rewrites a row given in column order; returns a new array. */
export type RowMask = (row: readonly unknown[]) => unknown[];

/** A policy is read at most this often per store, so a page of results costs no extra query. */
const POLICY_TTL_MS = 1000;
const cached = new WeakMap<Store, { readonly at: number; readonly policy: Promise<PersonalDataPolicy> }>();

function policyOf(store: Store): Promise<PersonalDataPolicy> {
  const hit = cached.get(store);
  if (hit && Date.now() - hit.at < POLICY_TTL_MS) return hit.policy;
  const policy = store.personalDataPolicy();
  cached.set(store, { at: Date.now(), policy });
  policy.catch(() => cached.delete(store));
  return policy;
}

/**
 * Drops this process's copy of the policy (a team's switch changed here). Other processes see a
 * change within POLICY_TTL_MS.
 */
export function forgetPersonalDataPolicy(store: Store): void {
  cached.delete(store);
}

/**
 * The mask for rows with these columns: hashes the personal ones while personal data is hidden;
 * undefined when nothing is to change (switch on everywhere, or no personal column).
 */
export async function personalDataMask(store: Store, columns: readonly string[]): Promise<RowMask | undefined> {
  const personal = columns.flatMap((column, i) => (PERSONAL_COLUMNS.has(column) ? [i] : []));
  if (personal.length === 0) return undefined;
  const { hidden, hashKey } = await policyOf(store);
  if (!hidden) return undefined;
  return (row) => {
    const out = [...row];
    for (const i of personal) out[i] = hashPersonalValue(hashKey, out[i]);
    return out;
  };
}

/**
 * For answers shaped otherwise than rows (the analytics): a function hashing one personal value
 * while personal data is hidden; undefined when values are shown as they are.
 */
export async function personalValueHasher(store: Store): Promise<((value: unknown) => unknown) | undefined> {
  const { hidden, hashKey } = await policyOf(store);
  return hidden ? (value) => hashPersonalValue(hashKey, value) : undefined;
}

/** Token Flex's personal fields that a `where` may test, and their usage columns. */
const FILTERABLE_PERSONAL: Readonly<Record<string, UsageValueColumn>> = { userName: 'user_name', machineName: 'machine_name' };
/** A quoted literal that looks like a hash of a personal value (hashPersonalValue). */
const HASH_LITERAL = /'([0-9a-f]{32})'/g;

/**
 * While personal data is hidden, answers show hashes, and a user picks a person by the hash they
 * see (the console's Token usage › By user): the hashes a Token Flex `where` names, each mapped to
 * the value of the contract's usage that it stands for (found by hashing the contract's values of
 * the personal fields the clause tests). Undefined when personal data is shown, or the clause names
 * no such hash. A hash of no value of the contract stays as it is and matches nothing.
 */
export async function pseudonymsIn(store: Store, contractNumber: string, where: string): Promise<Readonly<Record<string, string>> | undefined> {
  const hashes = new Set([...where.matchAll(HASH_LITERAL)].map((match) => match[1]!));
  if (hashes.size === 0) return undefined;
  const { hidden, hashKey } = await policyOf(store);
  if (!hidden) return undefined;
  const text = where.toLowerCase();
  const found: Record<string, string> = {};
  for (const [field, column] of Object.entries(FILTERABLE_PERSONAL)) {
    if (!text.includes(field.toLowerCase())) continue;
    for (const value of await store.listUsageValues(contractNumber, column)) {
      const hash = String(hashPersonalValue(hashKey, value));
      if (hashes.has(hash)) found[hash] = value;
    }
  }
  // Sorted, so the stored request (and an identical query's reuse) does not depend on the order found.
  const entries = Object.entries(found).sort(([a], [b]) => (a < b ? -1 : 1));
  return entries.length > 0 ? Object.freeze(Object.fromEntries(entries)) : undefined;
}

/** Rows streamed through a mask (or as they are, without one). */
export async function* maskRows(rows: AsyncIterable<readonly unknown[]>, mask: RowMask | undefined): AsyncIterable<unknown[]> {
  for await (const row of rows) yield mask ? mask(row) : [...row];
}
