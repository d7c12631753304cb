import type { UsageRecordInput } from '../store.js';

// The text a usage record is staged as on its way into DuckDB (sql/usage-ingest.ts reads it):
// apart from the store so the ingestion's validation workers (src/ingest) can write it without
// loading DuckDB.

/** A staged field: a record field, or one of its ten custom fields. */
export type StagedField = Exclude<keyof UsageRecordInput, 'customFields'> | `customField${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10}`;

/**
 * Each staged field's key in the staged object and the type DuckDB reads it as (instants are
 * epoch ms). A record is staged as one JSON object per line under these short keys (case-distinct: DuckDB's names are not), absent
 * values left out (as is `chargedItemId` when it is the id): DuckDB's JSON reader then types the
 * fields itself and parses only the keys a statement reads, so the staged files are read where they
 * are needed rather than copied into a table first (a million records: 0.8 s per copy, measured).
 * JSON.stringify writes such an object in about 2.1 µs against 1.8 µs for an array of the values.
 */
export const STAGED_COLUMNS: Readonly<Record<StagedField, readonly [key: string, type: string]>> = Object.freeze({
  line: ['a', 'INTEGER'], id: ['b', 'VARCHAR'], contractNumber: ['c', 'VARCHAR'], teamId: ['d', 'VARCHAR'],
  usageCategory: ['e', 'VARCHAR'], source: ['f', 'VARCHAR'], userId: ['g', 'VARCHAR'], userName: ['h', 'VARCHAR'],
  productLineCode: ['i', 'VARCHAR'], productName: ['j', 'VARCHAR'], parentProductName: ['k', 'VARCHAR'],
  productVersion: ['l', 'VARCHAR'], productFeatureCode: ['m', 'VARCHAR'], usageDate: ['n', 'DATE'], contractYear: ['o', 'INTEGER'],
  usageAt: ['p', 'BIGINT'], sessionStart: ['q', 'BIGINT'], sessionEnd: ['r', 'BIGINT'], licenseServerTzOffset: ['s', 'VARCHAR'],
  usageType: ['t', 'VARCHAR'], machineName: ['u', 'VARCHAR'], licenseServerName: ['v', 'VARCHAR'], hubId: ['w', 'VARCHAR'],
  hubName: ['x', 'VARCHAR'], jobStatus: ['y', 'VARCHAR'], transactionDate: ['z', 'BIGINT'], reasonType: ['rt', 'VARCHAR'],
  reasonComment: ['rc', 'VARCHAR'], chargedItemId: ['ci', 'VARCHAR'], tokens: ['tk', 'DOUBLE'], quantity: ['qt', 'DOUBLE'],
  customField1: ['cf1', 'VARCHAR'], customField2: ['cf2', 'VARCHAR'], customField3: ['cf3', 'VARCHAR'], customField4: ['cf4', 'VARCHAR'],
  customField5: ['cf5', 'VARCHAR'], customField6: ['cf6', 'VARCHAR'], customField7: ['cf7', 'VARCHAR'], customField8: ['cf8', 'VARCHAR'],
  customField9: ['cf9', 'VARCHAR'], customField10: ['cf10', 'VARCHAR'],
});

/** Present values only: JSON.stringify leaves out a key whose value is undefined. */
const present = <T>(value: T | null): T | undefined => value ?? undefined;

/** A record as its staged line (no newline), by STAGED_COLUMNS: an object literal, so every record has one shape. */
export function stagedLine(r: UsageRecordInput): string {
  const f = r.customFields;
  return JSON.stringify({
    a: r.line, b: r.id, c: r.contractNumber, d: r.teamId, e: r.usageCategory, f: r.source, g: present(r.userId),
    h: present(r.userName), i: present(r.productLineCode), j: present(r.productName), k: present(r.parentProductName),
    l: present(r.productVersion), m: present(r.productFeatureCode), n: r.usageDate, o: r.contractYear, p: r.usageAt,
    q: present(r.sessionStart), r: present(r.sessionEnd), s: present(r.licenseServerTzOffset), t: present(r.usageType),
    u: present(r.machineName), v: present(r.licenseServerName), w: present(r.hubId), x: present(r.hubName),
    y: present(r.jobStatus), z: present(r.transactionDate), rt: present(r.reasonType), rc: present(r.reasonComment),
    ci: r.chargedItemId === r.id ? undefined : r.chargedItemId, tk: present(r.tokens), qt: r.quantity,
    cf1: present(f[0]), cf2: present(f[1]), cf3: present(f[2]), cf4: present(f[3]), cf5: present(f[4]),
    cf6: present(f[5]), cf7: present(f[6]), cf8: present(f[7]), cf9: present(f[8]), cf10: present(f[9]),
  });
}
