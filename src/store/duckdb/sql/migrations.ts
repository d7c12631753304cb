import type { DuckDBConnection } from '@duckdb/node-api';

export async function createMigrationsTable(connection: DuckDBConnection): Promise<void> {
  await connection.run(`create table if not exists schema_migrations (
    id varchar primary key,
    applied_at timestamp not null default current_timestamp
  )`);
}

export async function selectAppliedMigrations(connection: DuckDBConnection): Promise<string[]> {
  const reader = await connection.runAndReadAll('select id from schema_migrations order by id');
  return reader.getRowObjectsJson().map((row) => String(row.id));
}

/**
 * Records the id, then runs the migration, in one transaction. The insert must come first: a
 * concurrent runner that already recorded the id makes it fail on the primary key, and the whole
 * transaction (and so the migration body) is rolled back instead of being applied twice.
 */
export async function applyMigration(connection: DuckDBConnection, id: string, body: string): Promise<boolean> {
  await connection.run('begin transaction');
  try {
    await connection.run('insert into schema_migrations (id) values ($1)', [id]);
    await connection.run(body);
    await connection.run('commit');
    return true;
  } catch (error) {
    await connection.run('rollback');
    // Another runner recorded the same id first (a key violation), or DuckDB's optimistic
    // concurrency refused our DDL because a concurrent transaction created the same objects (a
    // write-write conflict): either way the migration is someone else's to apply.
    if (/duplicate key|primary key|constraint|conflict/i.test(String((error as Error).message))) return false;
    throw error;
  }
}
