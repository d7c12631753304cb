import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Store } from '../store/index.js';
import { generateDemoTables } from './demo-generator.js';
import { planSeed, type SeedOptions, type SeedSummary } from './seed-options.js';

/**
 * Fills an empty store with the deterministic demo dataset: teams, contracts, users, products,
 * seat prices, subscriptions and exactly `options.rows` rated usage records. Generated as files
 * (demo-generator.ts), then loaded by the store in one transaction, so both backends hold the same
 * rows. The tables must be empty (else REQUEST_INVALID, and nothing is loaded).
 */
export async function loadDemoData(store: Store, options: SeedOptions): Promise<SeedSummary> {
  const started = performance.now();
  const plan = planSeed(options);
  const dir = await mkdtemp(path.join(tmpdir(), 'usage-insights-demo-'));
  try {
    const files = await generateDemoTables(plan, options, dir, store.bulkFileFormat);
    await store.loadIntoEmptyTables(files, { from: plan.from, to: plan.to });
    const rows = (table: string) => files.find((f) => f.table === table)?.rows ?? 0;
    return Object.freeze({
      users: rows('users'),
      teams: rows('teams'),
      contracts: rows('contracts'),
      products: rows('products'),
      subscriptions: rows('subscriptions'),
      usageRecords: rows('usage_records'),
      millis: Math.round(performance.now() - started),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
