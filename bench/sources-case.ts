/**
 * Bench case: the two source readers (issue 20), run by bench/run.ts in a process of its own, or
 * alone (`npm run bench:sources -- [--lines N] [--rounds R]`):
 *   node --import tsx bench/sources-case.ts [--lines N] [--rounds R] [--json]
 *
 * Generates a FlexNet debug log of N lines (default 1,000,000: checkouts, check-ins, denials,
 * UNSUPPORTED and lmgrd lines, TIMESTAMPs every six hours, the day rolling over by itself
 * between them) and a Token Flex desktop session-level export of N rows as Autodesk writes it
 * (every cell quoted, a comma ending each line), then times each reader over its file beside a
 * plain line count of the same file (the bytes read from disk and their newlines counted: what
 * no reader of the file can go below), in alternating rounds, medians compared. The readers'
 * output is consumed and counted, and the counts are checked against what was generated.
 * `--json` prints one JSON line, a SourcesBenchResult (bench/run.ts reads it).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { createContract, createProduct, createTeam } from '../src/admin/index.js';
import { FlexlmLogReader, ingestTokenflexExport, readTokenflexExport, type FeatureProduct } from '../src/ingest/index.js';
import { openDuckDbStore } from '../src/store/index.js';
import { storeMemory } from './duckdb-settings.js';
import { describeSourcesBench, type SourcesBenchCase, type SourcesBenchResult, type SourcesImportCase } from './sources-describe.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '3' }, json: { type: 'boolean', default: false },
    'skip-import': { type: 'boolean', default: false },
  },
});
const LINES = Number(values.lines);
const ROUNDS = Number(values.rounds);
if (!Number.isInteger(LINES) || LINES < 1000 || !Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error('usage: node --import tsx bench/sources-case.ts [--lines N>=1000] [--rounds R>=1] [--json]');
  process.exit(2);
}
const CHUNK = 1 << 20;

/** A deterministic pseudo-random sequence (mulberry32), so every run reads the same files. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const FEATURES: readonly (readonly [string, FeatureProduct])[] = [
  ['87545ACD_2025_0F', { productLineCode: 'ACD', version: '2025' }], ['87545ACD_2024_0F', { productLineCode: 'ACD', version: '2024' }],
  ['86984REVIT_2025_0F', { productLineCode: 'RVT', version: '2025' }], ['87083CIV3D_2025_0F', { productLineCode: 'CIV3D', version: '2025' }],
  ['87158INVPROSA_2025_0F', { productLineCode: 'INVPROSA', version: '2025' }], ['87048NAVMAN_2025_0F', { productLineCode: 'NAVMAN', version: '2025' }],
  ['87112ACDLT_2025_0F', { productLineCode: 'ACDLT', version: '2025' }], ['87301MAYA_2025_0F', { productLineCode: 'MAYA', version: '2025' }],
];
const BY_CODE = new Map(FEATURES);

/** Writes text to a file in large pieces, honouring back-pressure. */
async function writeFile(file: string, produce: (emit: (text: string) => Promise<void>) => Promise<void>): Promise<number> {
  const out = createWriteStream(file);
  let pending = '';
  const emit = async (text: string) => {
    pending += text;
    if (pending.length >= CHUNK) {
      if (!out.write(pending)) await once(out, 'drain');
      pending = '';
    }
  };
  await produce(emit);
  out.end(pending);
  await once(out, 'finish');
  return (await stat(file)).size;
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n));
const clock = (seconds: number) => {
  const s = seconds % 86_400;
  return `${String(Math.floor(s / 3600)).padStart(2, ' ')}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
};

/** An adskflex log of `lines` lines: about 150 licences out at a time among 600 users. */
async function generateLog(file: string, lines: number): Promise<{ bytes: number; outs: number; ins: number; denials: number }> {
  const next = random(20);
  const open: { feature: string; who: string }[] = [];
  let outs = 0;
  let ins = 0;
  let denials = 0;
  const bytes = await writeFile(file, async (emit) => {
    let t = 7 * 3600;
    let nextStamp = t + 6 * 3600;
    let day = Date.UTC(2025, 0, 6);
    await emit(`${clock(t)} (lmgrd) FlexNet Licensing (v11.19.6.0 build 306004 x64_n6) started on BENCH-LIC (IBM PC) (1/6/2025)\n`);
    let written = 1;
    while (written < lines) {
      t += Math.floor(next() * 20);
      let text: string;
      if (t >= nextStamp) {
        nextStamp += 6 * 3600;
        while (t >= 86_400) {
          t -= 86_400;
          nextStamp -= 86_400;
          day += 86_400_000;
        }
        const d = new Date(day);
        text = `${clock(t)} (lmgrd) TIMESTAMP ${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}\n`;
      } else {
        while (t >= 86_400) {
          t -= 86_400;
          nextStamp -= 86_400;
          day += 86_400_000;
        }
        const roll = next();
        const [feature] = FEATURES[Math.floor(next() * FEATURES.length)]!;
        const who = `user${Math.floor(next() * 600)}@WS-${Math.floor(next() * 900)}`;
        if (roll < 0.02) {
          denials++;
          text = `${clock(t)} (adskflex) DENIED: "${feature}" ${who}  (Licensed number of users already reached. (-4,342:10054 ""))\n`;
        } else if (roll < 0.03) {
          text = `${clock(t)} (adskflex) UNSUPPORTED: "87048BDSPRM_2025_0F" (PORT_AT_HOST_PLUS   ) ${who}  (License server system does not support this feature. (-18,327:10054 ""))\n`;
        } else if (roll < 0.04) {
          text = `${clock(t)} (lmgrd) lmgrd tcp-port 27000\n`;
        } else if (open.length < 150 * (0.5 + next())) {
          open.push({ feature, who });
          outs++;
          text = `${clock(t)} (adskflex) OUT: "${feature}" ${who}${next() < 0.05 ? '  (2 licenses)' : ''}\n`;
        } else {
          const k = Math.floor(next() * open.length);
          const closing = open[k]!;
          open[k] = open[open.length - 1]!;
          open.pop();
          ins++;
          text = `${clock(t)} (adskflex) IN: "${closing.feature}" ${closing.who}\n`;
        }
      }
      await emit(text);
      written++;
    }
  });
  return { bytes, outs, ins, denials };
}

const DESKTOP_COLUMNS = [
  'usageMonth', 'usageDate', 'contractYear', 'productName', 'productLineCode', 'productVersion', 'productFeatureCode', 'userName',
  'machineName', 'sessionStartDate', 'sessionEndDate', 'licenseServerTimeZoneOffset', 'chargedItemID', 'chargeCategory',
  'licenseServerName', 'usageType', 'usageCategory', ...Array.from({ length: 10 }, (_, k) => `customField${k + 1}`),
  'tokensConsumed', 'usageMinutes', 'usageHours',
];

/** A desktop session-level export of `rows` rows, as Autodesk writes it. */
async function generateExport(file: string, rows: number): Promise<number> {
  const next = random(7);
  const quoted = (cells: readonly string[]) => `${cells.map((c) => `"${c}"`).join(',')},\r\n`;
  return writeFile(file, async (emit) => {
    await emit(quoted(DESKTOP_COLUMNS));
    let at = Date.UTC(2025, 0, 6, 8);
    for (let r = 1; r < rows; r++) {
      at += Math.floor(next() * 40_000);
      const minutes = Math.round(next() * 48_000) / 100;
      const start = new Date(at).toISOString();
      const end = new Date(at + minutes * 60_000).toISOString();
      const [feature, product] = FEATURES[Math.floor(next() * FEATURES.length)]!;
      const charge = minutes < 5 ? 'CASUAL' : next() < 0.7 ? 'CHARGED' : 'FREE';
      await emit(quoted([
        `${start.slice(0, 7)}-01`, start.slice(0, 10), '1', 'Product', product.productLineCode, product.version, feature,
        `user${Math.floor(next() * 600)}`, `WS-${Math.floor(next() * 900)}`, `${start.slice(0, 10)} ${start.slice(11, 19)}`,
        `${end.slice(0, 10)} ${end.slice(11, 19)}`, '-05:00', `ci-${r}`, charge, 'BENCH-LIC', 'Normal', 'DESKTOP_PRODUCT',
        'Design', 'CC-100', '', '', '', '', '', '', '', '', charge === 'CHARGED' ? '6.0' : '0.0', minutes.toFixed(2), (minutes / 60).toFixed(4),
      ]));
    }
  });
}

/** The floor: the file's bytes read and their newlines counted. */
async function countLines(file: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines++;
  }
  return lines;
}

async function readLog(file: string): Promise<Record<string, number>> {
  const reader = new FlexlmLogReader({ server: 'BENCH-LIC', offsetMinutes: -300, lookupFeature: (code) => BY_CODE.get(code) });
  const counts: Record<string, number> = { session: 0, denial: 0, 'unmatched-checkin': 0, problem: 0 };
  for await (const items of reader.read([{ name: 'debug.log', open: () => createReadStream(file, { highWaterMark: CHUNK }) }])) {
    for (const item of items) counts[item.kind] = (counts[item.kind] ?? 0) + 1;
  }
  return { ...counts, lines: reader.summary().lines };
}

async function readExport(file: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = { record: 0, problem: 0 };
  for await (const items of readTokenflexExport(createReadStream(file, { highWaterMark: CHUNK }), 'export.csv', { contractNumber: '110000917988' })) {
    for (const item of items) counts[item.kind] = (counts[item.kind] ?? 0) + 1;
  }
  return counts;
}

/** Wall time, and the CPU time of this process (all its threads: the collector's too). */
async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, cpuMs: (used.user + used.system) / 1000, value };
}

const middle = (runs: readonly number[]) => [...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)]!;

async function benchFile(name: string, file: string, bytes: number, read: (file: string) => Promise<Record<string, number>>): Promise<SourcesBenchCase> {
  const readRuns: number[] = [];
  const countRuns: number[] = [];
  const readCpu: number[] = [];
  const countCpu: number[] = [];
  let output: Record<string, number> = {};
  let lines = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const counted = await time(() => countLines(file));
    countRuns.push(counted.ms);
    countCpu.push(counted.cpuMs);
    lines = counted.value;
    const read_ = await time(() => read(file));
    readRuns.push(read_.ms);
    readCpu.push(read_.cpuMs);
    output = read_.value;
  }
  return {
    name, lines, bytes, readMs: middle(readRuns), countMs: middle(countRuns), readCpuMs: middle(readCpu), countCpuMs: middle(countCpu),
    readRuns, countRuns, output, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/**
 * The export imported once through the ingestion (the reader, the validator, staging, the store's
 * transaction) into a fresh DuckDB store whose contract takes its charges from Autodesk, with the
 * service's memory settings (DUCKDB_MEMORY_LIMIT, else its default: a batch gets its own bounded limit).
 */
async function importExport(file: string, dataDir: string): Promise<SourcesImportCase> {
  const store = await openDuckDbStore({ dataDir, ...storeMemory });
  try {
    await store.migrate();
    const team = await createTeam(store, { teamId: '900000001', name: 'Bench' });
    await createContract(store, {
      contractNumber: '110000917988', contractName: 'Bench', teamId: team.teamId, contractStartDate: '2025-01-01', contractEndDate: '2027-12-31',
      contractYears: [1, 2, 3].map((year) => ({ year, startDate: `${2024 + year}-01-01`, endDate: `${2024 + year}-12-31`, provisionedTokens: 1e6 })),
      chargesFrom: 'autodesk',
    });
    for (const [featureCode, product] of FEATURES) {
      await createProduct(store, { productLineCode: product.productLineCode, version: product.version, productName: product.productLineCode, featureCode, dailyTokenRate: 6 });
    }
    const run = await time(() => ingestTokenflexExport(store, createReadStream(file, { highWaterMark: CHUNK }), { contractNumber: '110000917988', file: 'export.csv', dryRun: false }));
    return {
      lines: LINES, ms: run.ms, cpuMs: run.cpuMs, records: run.value.records, inserted: run.value.inserted, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await store.close();
  }
}

const root = await mkdtemp(path.join(tmpdir(), 'usage-insights-sources-bench-'));
try {
  const logFile = path.join(root, 'debug.log');
  const exportFile = path.join(root, 'export.csv');
  const generated = await generateLog(logFile, LINES);
  const exportBytes = await generateExport(exportFile, LINES);
  const flexlm = await benchFile('FlexNet debug log → sessions, denials', logFile, generated.bytes, readLog);
  const tokenflex = await benchFile('Token Flex session export → records', exportFile, exportBytes, readExport);
  // The readers must have read everything they were given.
  const sessions = flexlm.output.session ?? 0;
  if (flexlm.output.problem !== 0 || flexlm.output.denial !== generated.denials || sessions !== generated.outs || flexlm.output.lines !== LINES) {
    throw new Error(`the log was not read whole: ${JSON.stringify({ generated, output: flexlm.output })}`);
  }
  if (tokenflex.output.problem !== 0 || tokenflex.output.record !== LINES - 1) throw new Error(`the export was not read whole: ${JSON.stringify(tokenflex.output)}`);
  const tokenflexImport = values['skip-import'] ? undefined : await importExport(exportFile, path.join(root, 'db'));
  if (tokenflexImport && tokenflexImport.inserted !== LINES - 1) throw new Error(`the export was not imported whole: ${JSON.stringify(tokenflexImport)}`);
  const result: SourcesBenchResult = { flexlm, tokenflex, ...(tokenflexImport ? { tokenflexImport } : {}) };
  if (values.json) {
    console.log(JSON.stringify(result));
  } else {
    console.log(`\nsource readers: ${LINES.toLocaleString('en')} lines each, median of ${ROUNDS} alternating rounds\n`);
    for (const line of describeSourcesBench(result)) console.log(line);
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
