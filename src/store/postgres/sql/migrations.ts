import type { Queryable } from './db.js';

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Waits for the session-level advisory lock that serialises migration runners of one schema
 * (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS). The key is a hash
 * of the schema name, so runners of different schemas (parallel test runs) do not wait for each other.
 */
export async function lockMigrations(db: Queryable, schema: string): Promise<void> {
  await db.query(`select pg_advisory_lock(hashtextextended('usage-insights:migrate:' || $1, 0))`, [schema]);
}

export async function unlockMigrations(db: Queryable, schema: string): Promise<void> {
  await db.query(`select pg_advisory_unlock(hashtextextended('usage-insights:migrate:' || $1, 0))`, [schema]);
}

/** The schema name comes from configuration and was checked against a strict pattern. */
export async function createSchema(db: Queryable, schema: string): Promise<void> {
  await db.query(`create schema if not exists ${quoteIdent(schema)}`);
}

export async function createMigrationsTable(db: Queryable): Promise<void> {
  await db.query(`create table if not exists schema_migrations (
    id text primary key,
    applied_at timestamptz not null default now()
  )`);
}

export async function selectAppliedMigrations(db: Queryable): Promise<string[]> {
  const result = await db.query('select id from schema_migrations order by id');
  return result.rows.map((row) => String(row.id));
}

/**
 * Records the id, then runs the migration, in one transaction. The runner holds the advisory lock,
 * so no other runner is inside; recording the id first still means that a migration whose id is
 * already there (a runner without the lock, say an older release) fails on the key and rolls back
 * whole instead of being applied twice.
 */
export async function applyMigration(db: Queryable, id: string, body: string): Promise<void> {
  await db.query('begin');
  try {
    await db.query('insert into schema_migrations (id) values ($1)', [id]);
    // A simple-protocol query (no parameters) may hold several statements.
    await db.query(body);
    await db.query('commit');
  } catch (error) {
    await db.query('rollback');
    throw error;
  }
}
