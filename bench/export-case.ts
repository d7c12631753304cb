/**
 * One export case of `npm run bench`, run in its own process so its peak RSS is its own:
 *   node --import tsx bench/export-case.ts <case> <dataDir> <outDir> <sessionsFrom> <usageFrom>
 * Prints one JSON line: { ms, rows, peakRssMb }. `sessionsFrom` and `usageFrom` are the first days
 * of the two exports' windows (bench/run.ts picks them so each export holds about 1,000,000 rows,
 * the size the Exports issue speaks of, whatever the database size).
 *
 * Cases:
 * - tokenflex-csv: the Token Flex desktop session-level export of the largest contract from
 *   `sessionsFrom` on, through the real export service (database stream → CSV writer → file store).
 * - copy-csv: DuckDB `COPY (same query) TO … (HEADER)`: the baseline of the above.
 * - insights-xlsx: the Insights USAGE report of every team from `usageFrom` to 2026-10-31 to
 *   EXCEL, through the real export service.
 * - exceljs-xlsx: exceljs' streaming workbook writer fed the same rows from memory (read before the
 *   clock starts): the baseline of the above.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { catalogFor } from '../src/catalog/index.js';
import { InsightsExportService, LocalFileStore, TokenflexExportService, UrlSigner } from '../src/exports/index.js';
import { compileUsageQuery, planUsageQuery } from '../src/query/index.js';
import { openDuckDbStore, type Job } from '../src/store/index.js';
import { instanceMemory, storeMemory } from './duckdb-settings.js';

const [caseName, dataDir, outDir, sessionsFrom, usageFrom] = process.argv.slice(2) as [string, string, string, string, string];
const CONTRACT = '110000917988';
export const SESSION_FIELDS = ['usageDate', 'productName', 'productLineCode', 'productVersion', 'userName', 'machineName', 'sessionStartDate',
  'sessionEndDate', 'chargedItemID', 'chargeCategory', 'licenseServerName', 'usageType'];
const SESSION_WHERE = `usageDate >= '${sessionsFrom}'`;
const SESSION_SPEC = {
  fields: SESSION_FIELDS, metrics: ['tokensConsumed', 'usageMinutes'], usageCategories: ['DESKTOP_PRODUCT'], where: SESSION_WHERE,
  scope: { kind: 'contract', contractNumber: CONTRACT }, purpose: 'export',
} as const;

let peak = process.memoryUsage().rss;
const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);

async function timed(fn: () => Promise<number>): Promise<void> {
  const start = process.hrtime.bigint();
  const rows = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  clearInterval(sampler);
  peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
  console.log(JSON.stringify({ ms, rows, peakRssMb: Math.round(peak / 1024 / 1024) }));
}

function fakeJob(id: string, request: unknown, api: 'insights' | 'tokenflex'): Job {
  return {
    id, kind: 'export', api, ownerUserId: 'bench', tenantKey: CONTRACT, state: 'running', request, requestHash: '', idempotencyKey: null,
    attempts: 1, maxAttempts: 1, workerId: 'bench', cancelRequested: false, createdAt: '', updatedAt: '', startedAt: null, finishedAt: null,
    expiresAt: null, errorTitle: null, errorDetail: null, columns: null, rowCount: null, files: [], readFlag: false,
  };
}

if (caseName === 'copy-csv' || caseName === 'exceljs-xlsx') {
  const db = await DuckDBInstance.create(path.join(dataDir, 'usage.duckdb'), { access_mode: 'READ_ONLY', ...instanceMemory });
  const connection = await db.connect();
  if (caseName === 'copy-csv') {
    const compiled = compileUsageQuery(planUsageQuery(SESSION_SPEC, catalogFor('tokenflex')), 'duckdb');
    await timed(async () => {
      const reader = await connection.runAndReadAll(`copy (${compiled.sql}) to '${path.join(outDir, 'copy.csv')}' (header)`, [...compiled.parameters]);
      return Number(reader.getRowsJson()[0]?.[0] ?? 0);
    });
  } else {
    const reader = await connection.runAndReadAll(`select strftime(r.usage_date, '%Y-%m-%d'), r.team_id, t.name, u.user_name, u.email, r.product_name, r.product_line_code,
        r.product_version, r.source, coalesce(sum(r.tokens_consumed), 0)
      from usage_records r join users u on u.id = r.user_id join teams t on t.id = r.team_id
      where r.usage_date >= cast($1 as date) and r.usage_date <= date '2026-10-31'
      group by all order by 1, 2, 4, 6, 8, 9`, [usageFrom]);
    const rows = reader.getRowsJson();
    await timed(async () => {
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path.join(outDir, 'exceljs.xlsx'), useStyles: true });
      const sheet = workbook.addWorksheet('Usage', { views: [{ state: 'frozen', ySplit: 1 }] });
      sheet.addRow(['usageDate', 'teamId', 'teamName', 'userName', 'emailAddress', 'productName', 'productLineCode', 'version', 'source', 'tokens']).commit();
      for (const row of rows) sheet.addRow([new Date(`${String(row[0])}T00:00:00Z`), ...row.slice(1)]).commit();
      sheet.commit();
      await workbook.commit();
      return rows.length;
    });
  }
  connection.closeSync();
  db.closeSync();
} else {
  const store = await openDuckDbStore({ dataDir, readOnly: true, ...storeMemory });
  const files = new LocalFileStore(outDir);
  const signer = new UrlSigner(Buffer.alloc(32), 'http://localhost');
  let rows = 0;
  const recorder = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'completeExportJob') {
        return async (_id: string, _worker: string, written: { rowCount: number }[]) => { rows = written.reduce((sum, f) => sum + f.rowCount, 0); };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  const context = { workerId: 'bench', signal: new AbortController().signal };
  if (caseName === 'tokenflex-csv') {
    const service = new TokenflexExportService({ store: recorder, files, signer, dialect: 'duckdb' });
    const request = { contractNumber: CONTRACT, fields: SESSION_FIELDS, metrics: ['tokensConsumed', 'usageMinutes'], usageCategories: ['DESKTOP_PRODUCT'], where: SESSION_WHERE, downloadFileName: 'bench.csv', scheduleId: null };
    await timed(async () => { await service.handler()(fakeJob(`2026-01-01T00:00:00#${randomUUID()}`, request, 'tokenflex'), context); return rows; });
  } else {
    const service = new InsightsExportService({ store: recorder, files, signer });
    const admin = await store.findUserByEmail('admin@example.com');
    const teamIds = (await store.listAdministeredTeams(admin!.id)).map((t) => t.teamId);
    const request = { outputFormat: 'EXCEL', reports: ['USAGE'], teamId: null, teamName: null, teamIds, startDate: usageFrom, endDate: '2026-10-31', filters: null, language: 'en' };
    await timed(async () => { await service.handler()(fakeJob(randomUUID(), request, 'insights'), context); return rows; });
  }
  await store.close();
}
