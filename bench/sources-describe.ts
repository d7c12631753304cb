/** What bench/sources-case.ts measures, and its lines for people (shared with bench/run.ts). */

export interface SourcesBenchCase {
  readonly name: string;
  readonly lines: number;
  readonly bytes: number;
  /** Medians of the rounds, and each round's time. */
  readonly readMs: number;
  readonly countMs: number;
  /**
   * The same in CPU time of the bench's process: on a machine other work shares, the wall times
   * wait for the CPU as well, and these say what the reading itself costs.
   */
  readonly readCpuMs: number;
  readonly countCpuMs: number;
  readonly readRuns: readonly number[];
  readonly countRuns: readonly number[];
  /**
   * The process's peak resident memory once this case has run (its files are read, never held:
   * this stays far below their size).
   */
  readonly peakRssMb: number;
  /** What the reader made of the file (sessions, denials, records, problems). */
  readonly output: Readonly<Record<string, number>>;
}

/** The Token Flex export imported through the ingestion (validation, staging, the store) into a fresh DuckDB store. */
export interface SourcesImportCase {
  readonly lines: number;
  readonly ms: number;
  /** CPU time of the bench's process (DuckDB's threads included). */
  readonly cpuMs: number;
  readonly records: number;
  readonly inserted: number;
  readonly peakRssMb: number;
}

export interface SourcesBenchResult {
  readonly flexlm: SourcesBenchCase;
  readonly tokenflex: SourcesBenchCase;
  /** Absent with --skip-import. */
  readonly tokenflexImport?: SourcesImportCase;
}

/** The bench's lines for people: rates, and the ratio to the line count of the same file. */
export function describeSourcesBench(result: SourcesBenchResult): string[] {
  const pad = (text: string, width: number) => text.padEnd(width);
  const rate = (lines: number, ms: number) => `${Math.round(lines / (ms / 1000)).toLocaleString('en')}/s`;
  const lines = [`${pad('reader (lines a second: wall, CPU)', 40)}${pad('ms', 8)}${pad('rate', 13)}${pad('CPU ms', 8)}${pad('CPU rate', 13)}`
    + `${pad('line count ms', 15)}${pad('rate', 14)}ratio`];
  for (const c of [result.flexlm, result.tokenflex]) {
    lines.push(`${pad(c.name, 40)}${pad(c.readMs.toFixed(0), 8)}${pad(rate(c.lines, c.readMs), 13)}${pad(c.readCpuMs.toFixed(0), 8)}`
      + `${pad(rate(c.lines, c.readCpuMs), 13)}${pad(c.countMs.toFixed(0), 15)}${pad(rate(c.lines, c.countMs), 14)}${(c.readMs / c.countMs).toFixed(2)}x`);
  }
  for (const c of [result.flexlm, result.tokenflex]) {
    lines.push(`  ${c.name}: ${c.lines.toLocaleString('en')} lines, ${(c.bytes / 1e6).toFixed(0)} MB, peak RSS ${c.peakRssMb} MB; read ${c.readRuns.map((ms) => ms.toFixed(0)).join(', ')} ms; `
      + `count ${c.countRuns.map((ms) => ms.toFixed(0)).join(', ')} ms; output ${JSON.stringify(c.output)}`);
  }
  const i = result.tokenflexImport;
  if (i) {
    lines.push(`Token Flex export imported (ingestion into DuckDB, one batch): ${i.records.toLocaleString('en')} records, ${i.inserted.toLocaleString('en')} inserted in `
      + `${(i.ms / 1000).toFixed(1)} s (${rate(i.records, i.ms)}), CPU ${(i.cpuMs / 1000).toFixed(1)} s (${rate(i.records, i.cpuMs)}); peak RSS ${i.peakRssMb} MB`);
  }
  return lines;
}
