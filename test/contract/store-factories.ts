import { rmSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDuckDbStore, openPostgresStore, type Store } from '../../src/store/index.js';
import { dropSchema, newSchemaName, runSqlInSchema, selectInSchema, TEST_DATABASE_URL } from '../helpers/databases.js';
import { loadDemoData, type SeedOptions } from '../../src/seed/index.js';

/**
 * What a test's database holds when it starts: nothing (not even the schema: `migrate()` is the
 * test's), the migrated schema, or that plus the demo data.
 */
export type StoreStart = { readonly migrated: true } | { readonly demo: SeedOptions } | undefined;

/** A store on a database of its own; `reopen` opens the same database again, `dispose` closes and removes it. */
export interface TestStore {
  readonly store: Store;
  reopen(): Promise<Store>;
  dispose(): Promise<void>;
}

/** Makes each contract test a database of its own, in the state it asks for (empty by default). */
export interface StoreFactory {
  create(start?: StoreStart): Promise<TestStore>;
}

const keyOf = (start: Exclude<StoreStart, undefined>) => ('demo' in start ? JSON.stringify(start.demo) : 'migrated');

/**
 * DuckDB: a started database is a copy of a file this process migrated (and filled) once per
 * state, so a test pays a file copy instead of the migrations and the demo generator.
 */
export function duckDbStoreFactory(prefix: string): StoreFactory {
  const templates = new Map<string, Promise<string>>();
  const templateOf = (start: Exclude<StoreStart, undefined>) => {
    const key = keyOf(start);
    let file = templates.get(key);
    if (!file) {
      file = (async () => {
        const dir = await mkdtemp(path.join(tmpdir(), `${prefix}template-`));
        process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
        const store = await openDuckDbStore({ dataDir: dir });
        try {
          await store.migrate();
          if ('demo' in start) await loadDemoData(store, start.demo);
        } finally {
          await store.close();
        }
        return path.join(dir, 'usage.duckdb');
      })();
      templates.set(key, file);
    }
    return file;
  };
  return {
    async create(start) {
      const dataDir = await mkdtemp(path.join(tmpdir(), prefix));
      if (start) {
        await copyFile(await templateOf(start), path.join(dataDir, 'usage.duckdb'));
      }
      let current = await openDuckDbStore({ dataDir });
      return {
        store: current,
        reopen: async () => (current = await openDuckDbStore({ dataDir })),
        dispose: async () => {
          await current.close().catch(() => undefined);
          await rm(dataDir, { recursive: true, force: true });
        },
      };
    },
  };
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * PostgreSQL: an empty database is a new schema, as a server would find it. A started one is the
 * file's one reused schema, migrated once, then emptied before each test and refilled from a copy
 * of the demo data the store loaded once (a side schema per demo). Emptied with `delete`, not
 * `truncate`: on tables this small, truncating the 27 took 1.5–1.8 s against about 50 ms.
 * The tables hold no sequences and no foreign keys, so the rows are all the state there is.
 * While a test holds the reused schema, another one asking for a started database gets a new
 * schema, migrated and refilled the same way.
 */
export function postgresStoreFactory(maxConnections = 5): StoreFactory & {
  /** `count` stores on one database, each with its own pool, as separate server processes would have. */
  createShared(count: number, start?: StoreStart): Promise<{ readonly stores: readonly Store[]; dispose(): Promise<void> }>;
} {
  let shared: Promise<{ readonly schema: string; readonly tables: readonly string[] }> | undefined;
  let sharedInUse = false;
  const copies = new Map<string, Promise<{ readonly schema: string; readonly tables: readonly string[] }>>();
  const open = (schema: string) => openPostgresStore({ url: TEST_DATABASE_URL, schema, maxConnections });

  async function migrated(schema: string): Promise<readonly string[]> {
    const store = await open(schema);
    try {
      await store.migrate();
    } finally {
      await store.close();
    }
    const rows = await selectInSchema(schema, `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> 'schema_migrations'
      order by c.relname`);
    return rows.map(([name]) => String(name));
  }
  const sharedSchema = () => (shared ??= (async () => {
    const schema = newSchemaName();
    return { schema, tables: await migrated(schema) };
  })());
  const empty = (schema: string, tables: readonly string[]) =>
    runSqlInSchema(schema, `begin; ${tables.map((t) => `delete from ${quote(t)};`).join(' ')} commit;`);
  /**
   * Fills a migrated, empty schema with the demo data: the first time by loading it through the
   * store, then copying the tables it filled into a schema of their own; later, from that copy.
   */
  async function fill(schema: string, all: readonly string[], demo: SeedOptions): Promise<void> {
    const key = JSON.stringify(demo);
    const existing = copies.get(key);
    if (existing) {
      const copy = await existing;
      await runSqlInSchema(schema, `begin; ${copy.tables.map((t) => `insert into ${quote(t)} select * from ${quote(copy.schema)}.${quote(t)};`).join(' ')} commit;`);
      return;
    }
    const made = (async () => {
      const store = await open(schema);
      try {
        await loadDemoData(store, demo);
      } finally {
        await store.close();
      }
      const copy = newSchemaName();
      const tables: string[] = [];
      for (const table of all) {
        if ((await selectInSchema(schema, `select exists (select from ${quote(table)})`))[0]![0] === true) tables.push(table);
      }
      await runSqlInSchema(schema, `create schema ${quote(copy)}; ${tables.map((t) => `create table ${quote(copy)}.${quote(t)} as select * from ${quote(t)};`).join(' ')}`);
      return { schema: copy, tables };
    })();
    copies.set(key, made);
    await made.catch((error: unknown) => {
      copies.delete(key);
      throw error;
    });
  }

  /** A schema in the state asked for, and what gives it back when the test is done. */
  async function take(start: StoreStart): Promise<{ readonly schema: string; release(): Promise<void> }> {
    if (!start) {
      const schema = newSchemaName();
      return { schema, release: () => dropSchema(schema) };
    }
    if (sharedInUse) {
      const schema = newSchemaName();
      const tables = await migrated(schema);
      if ('demo' in start) await fill(schema, tables, start.demo);
      return { schema, release: () => dropSchema(schema) };
    }
    sharedInUse = true;
    const release = async () => { sharedInUse = false; };
    try {
      const own = await sharedSchema();
      await empty(own.schema, own.tables);
      if ('demo' in start) await fill(own.schema, own.tables, start.demo);
      return { schema: own.schema, release };
    } catch (error) {
      await release();
      throw error;
    }
  }

  return {
    async create(start) {
      const { schema, release } = await take(start);
      let current = await open(schema);
      return {
        store: current,
        reopen: async () => (current = await open(schema)),
        dispose: async () => {
          await current.close().catch(() => undefined);
          await release();
        },
      };
    },
    async createShared(count, start) {
      const { schema, release } = await take(start);
      const stores = await Promise.all(Array.from({ length: count }, () => open(schema)));
      return {
        stores,
        dispose: async () => {
          for (const store of stores) await store.close().catch(() => undefined);
          await release();
        },
      };
    },
  };
}
