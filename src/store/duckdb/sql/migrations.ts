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
    // Only a concurrent runner that recorded this id first makes a failure harmless (a key
    // violation on schema_migrations, or DuckDB's write-write conflict on the same objects).
    // Anything else is a broken migration and must stop the start-up.
    const racing = /duplicate key|primary key|conflict/i.test(String((error as Error).message));
    // The concurrent runner may not have committed yet: give it a moment to.
    for (let attempt = 0; attempt < (racing ? 40 : 1); attempt++) {
      if ((await selectAppliedMigrations(connection)).includes(id)) return false;
      if (racing) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw error;
  }
}
