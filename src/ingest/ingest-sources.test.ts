import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import { FIXTURE_CONTRACT, openFixtureStore } from '../../test/helpers/usage-fixture.js';
import { ingestFlexlmLog, type FlexlmImportOptions } from './ingest-sources.js';
import type { LogSource } from './sources/flexlm-log.js';

// Issue 20's acceptance: hand-written FlexNet debug logs (the format as the adskflex daemon writes
// it), each imported through the one ingestion path into the fixture world (contract FX1, AutoCAD
// 2025 = 87140ACD_2025_0F, Revit 2025 = 87145RVT_2025_0F), asserting the exact sessions and
// denials stored. A New York server: -05:00 in March.

const ACD = '87140ACD_2025_0F';
const RVT = '87145RVT_2025_0F';
const START = (date: string, time = ' 7:40:19') => `${time} (lmgrd) FlexNet Licensing (v11.16.2.1 build 245043 x64_n6) started on NYC-LIC01 (IBM PC) (${date})`;
const OUT = (time: string, feature: string, who: string, suffix = '') => `${time} (adskflex) OUT: "${feature}" ${who}${suffix}`;
const IN = (time: string, feature: string, who: string, suffix = '') => `${time} (adskflex) IN: "${feature}" ${who}${suffix}`;
const DENIED = (time: string, feature: string, who: string) =>
  `${time} (adskflex) DENIED: "${feature}" ${who}  (Licensed number of users already reached. (-4,342:10054 ""))`;
const log = (...lines: string[]) => `${lines.join('\r\n')}\r\n`;
const source = (name: string, text: string): LogSource => ({ name, open: () => [Buffer.from(text, 'utf8')] });

const OPTIONS: FlexlmImportOptions = { server: 'NYC-LIC01', offset: '-05:00', contractNumber: FIXTURE_CONTRACT, dryRun: false };

async function rows(store: Store, sql: string): Promise<string[]> {
  const out: string[] = [];
  for await (const row of store.streamRows({ sql, parameters: [] }, new AbortController().signal)) out.push(row.map((v) => (v === null ? '-' : String(v))).join(' '));
  return out.sort();
}

const iso = (store: Store, column: string) => (store.backend === 'duckdb' ? `strftime(${column}, '%Y-%m-%dT%H:%M:%SZ')` : `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`);

/** The stored sessions: who, what, when (UTC), as what. */
function sessions(store: Store): Promise<string[]> {
  return rows(store, `select user_name, machine_name, product_line_code, ${iso(store, 'session_start')}, ${iso(store, 'session_end')}, source,
    license_server_name, usage_date::varchar, tokens_consumed from usage_records`);
}

/** The stored denials. */
function denials(store: Store): Promise<string[]> {
  return rows(store, `select user_name, machine_name, product_line_code, product_name, ${iso(store, 'denied_at')}, usage_date::varchar, licenses,
    reason, reason_code, license_server_name from license_denials`);
}

const DAY = log(
  START('3/3/2025'),
  ' 7:40:20 (adskflex) Server started on NYC-LIC01 for:\t87140ACD_2025_0F',
  OUT(' 8:02:11', ACD, 'jdoe@WS-14'),
  OUT(' 8:15:40', RVT, 'ann@WS-31', '  (2 licenses)'),
  OUT(' 9:00:00', ACD, 'kim@WS-20'),
  OUT(' 9:05:00', ACD, 'kim@WS-20'), // a second checkout of the same feature by the same user@host
  IN(' 9:47:30', ACD, 'jdoe@WS-14'),
  DENIED('10:15:00', ACD, 'lee@WS-22'),
  IN('10:30:00', ACD, 'kim@WS-20'), // closes the first of kim's two
  IN('11:00:00', ACD, 'kim@WS-20'),
  IN('12:01:00', RVT, 'ann@WS-31', '  (2 licenses)'),
  OUT('23:30:00', ACD, 'jdoe@WS-14'), // over midnight: one session
  ' 0:10:00 (lmgrd) TIMESTAMP 3/4/2025',
  IN(' 1:15:00', ACD, 'jdoe@WS-14'),
  OUT('22:00:00', RVT, 'ann@WS-31'),
  IN(' 0:30:00', RVT, 'ann@WS-31'), // the time went back with no TIMESTAMP: 5 March
  DENIED(' 0:45:00', RVT, 'bob@WS-33'),
);

const DAY_SESSIONS = [
  'ann WS-31 RVT 2025-03-03T13:15:40Z 2025-03-03T17:01:00Z sus NYC-LIC01 2025-03-03 0',
  'ann WS-31 RVT 2025-03-05T03:00:00Z 2025-03-05T05:30:00Z sus NYC-LIC01 2025-03-04 0',
  'jdoe WS-14 ACD 2025-03-03T13:02:11Z 2025-03-03T14:47:30Z sus NYC-LIC01 2025-03-03 0',
  'jdoe WS-14 ACD 2025-03-04T04:30:00Z 2025-03-04T06:15:00Z sus NYC-LIC01 2025-03-03 0',
  'kim WS-20 ACD 2025-03-03T14:00:00Z 2025-03-03T15:30:00Z sus NYC-LIC01 2025-03-03 0',
  'kim WS-20 ACD 2025-03-03T14:05:00Z 2025-03-03T16:00:00Z sus NYC-LIC01 2025-03-03 0',
];
const REASON = 'Licensed number of users already reached. -4,342';
const DAY_DENIALS = [
  `bob WS-33 RVT Revit 2025-03-05T05:45:00Z 2025-03-05 1 ${REASON} NYC-LIC01`,
  `lee WS-22 ACD AutoCAD 2025-03-03T15:15:00Z 2025-03-03 1 ${REASON} NYC-LIC01`,
];

test('a day of a FlexNet log: OUT/IN pairs, two checkouts by one user@host, (2 licenses), DENIED, over midnight, a day change without TIMESTAMP', async (t) => {
  const store = await openFixtureStore(t);
  const summary = await ingestFlexlmLog(store, [source('debug.log', DAY)], OPTIONS);
  assert.equal(summary.inserted, 6);
  assert.equal(summary.denialsInserted, 2);
  assert.deepEqual(await sessions(store), DAY_SESSIONS);
  assert.deepEqual(await denials(store), DAY_DENIALS);
});

test('the same log imported twice, or as two rotated halves given in reverse order, stores each session and denial once', async (t) => {
  const store = await openFixtureStore(t);
  await ingestFlexlmLog(store, [source('debug.log', DAY)], OPTIONS);
  const again = await ingestFlexlmLog(store, [source('debug.log', DAY)], OPTIONS);
  assert.deepEqual([again.records, again.inserted, again.duplicates, again.denials, again.denialsInserted], [6, 0, 6, 2, 0]);

  const halves = await openFixtureStore(t);
  const lines = DAY.trimEnd().split('\r\n');
  const cut = lines.indexOf(' 0:10:00 (lmgrd) TIMESTAMP 3/4/2025');
  // The second half starts with the TIMESTAMP that dates it; jdoe's midnight session spans the cut.
  const first = source('debug.log.1', log(...lines.slice(0, cut)));
  const second = source('debug.log', log(...lines.slice(cut)));
  const both = await ingestFlexlmLog(halves, [second, first], OPTIONS);
  assert.equal(both.inserted, 6);
  assert.deepEqual(await sessions(halves), DAY_SESSIONS);
  assert.deepEqual(await denials(halves), DAY_DENIALS);
});

test('a restart with open checkouts closes them at the last line before it; the log\'s end closes the rest', async (t) => {
  const store = await openFixtureStore(t);
  const summary = await ingestFlexlmLog(store, [source('debug.log', log(
    START('3/3/2025'),
    OUT(' 8:00:00', ACD, 'ann@WS-31'),
    OUT(' 8:30:00', RVT, 'bob@WS-33'),
    IN(' 9:00:00', RVT, 'bob@WS-33'),
    ' 9:20:00 (adskflex) TIMESTAMP 3/3/2025',
    START('3/3/2025', ' 9:45:00'), // a crash: no stop line
    OUT('10:00:00', ACD, 'cy@WS-40'),
    '11:00:00 (adskflex) EXITING DUE TO SIGNAL 15',
  ))], OPTIONS);
  assert.deepEqual(summary.log.sessionsEndedBy, { checkin: 1, inactive: 0, 'server-stop': 2, 'log-end': 0 });
  assert.deepEqual(await sessions(store), [
    'ann WS-31 ACD 2025-03-03T13:00:00Z 2025-03-03T14:20:00Z sus NYC-LIC01 2025-03-03 0',
    'bob WS-33 RVT 2025-03-03T13:30:00Z 2025-03-03T14:00:00Z sus NYC-LIC01 2025-03-03 0',
    'cy WS-40 ACD 2025-03-03T15:00:00Z 2025-03-03T16:00:00Z sus NYC-LIC01 2025-03-03 0',
  ]);
});

test('an unknown feature refuses the batch by name with its line count; --dry-run lists it; nothing is written', async (t) => {
  const store = await openFixtureStore(t);
  const text = log(
    START('3/3/2025'),
    OUT(' 8:00:00', ACD, 'ann@WS-31'),
    OUT(' 8:10:00', '87600INVPROSA_2024_0F', 'bob@WS-33'),
    DENIED(' 8:20:00', '87600INVPROSA_2024_0F', 'cy@WS-40'),
    IN(' 9:00:00', '87600INVPROSA_2024_0F', 'bob@WS-33'),
    IN(' 9:10:00', ACD, 'ann@WS-31'),
  );
  const dry = await ingestFlexlmLog(store, [source('debug.log', text)], { ...OPTIONS, dryRun: true });
  assert.deepEqual([dry.records, dry.inserted, dry.dryRun], [1, 1, true]);
  assert.deepEqual(dry.log.unknownFeatures.map((f) => [f.feature, f.lines, f.firstLine, f.looksLike]), [['87600INVPROSA_2024_0F', 3, 3, 'INVPROSA 2024']]);
  const refused = await ingestFlexlmLog(store, [source('debug.log', text)], OPTIONS).then(() => undefined, (error: unknown) => error);
  assert.ok(AppError.is(refused) && refused.code === 'USAGE_BATCH_INVALID');
  assert.deepEqual(refused.extra?.['errors'], [{
    file: 'debug.log', line: 3, field: 'feature',
    message: 'no product has the feature code 87600INVPROSA_2024_0F (3 lines; it looks like INVPROSA 2024): add the product with this featureCode first (--dry-run lists every unknown feature)',
  }]);
  assert.deepEqual(await sessions(store), []);
  assert.deepEqual(await denials(store), []);
});

test('a line that should be an event but cannot be read refuses the batch, naming the file and line', async (t) => {
  const store = await openFixtureStore(t);
  const refused = await ingestFlexlmLog(store, [source('debug.log', log(
    START('3/3/2025'),
    OUT(' 8:00:00', ACD, 'ann@WS-31'),
    ' 8:30:00 (adskflex) OUT: "87140ACD_2025_0F',
    DENIED(' 8:40:00', ACD, 'bob@WS-33'),
  ))], OPTIONS).then(() => undefined, (error: unknown) => error);
  assert.ok(AppError.is(refused) && refused.code === 'USAGE_BATCH_INVALID');
  const errors = refused.extra?.['errors'] as { file: string; line: number }[];
  assert.deepEqual(errors.map((e) => [e.file, e.line]), [['debug.log', 3]]);
  assert.deepEqual(await sessions(store), []);
  assert.deepEqual(await denials(store), []);
});

/** The stored sessions with what the log says of them: minutes, licences, how each ended. */
function marked(store: Store): Promise<string[]> {
  return rows(store, `select user_name, machine_name, product_line_code, ${iso(store, 'session_start')}, ${iso(store, 'session_end')},
    usage_minutes, licenses, session_ended_by, charge_category, tokens_consumed from usage_records`);
}

test('each session stores its licences, (n licenses) or 1, and how it ended', async (t) => {
  const store = await openFixtureStore(t);
  await ingestFlexlmLog(store, [source('debug.log', log(
    START('3/3/2025'),
    OUT(' 8:00:00', ACD, 'ann@WS-31', '  (2 licenses)'),
    OUT(' 8:30:00', RVT, 'bob@WS-33'),
    OUT(' 8:40:00', RVT, 'cy@WS-40'),
    IN(' 9:00:00', RVT, 'bob@WS-33', '  (INACTIVE)'),
    IN(' 9:30:00', ACD, 'ann@WS-31', '  (2 licenses)'),
    '10:00:00 (adskflex) EXITING DUE TO SIGNAL 15',
    START('3/3/2025', '10:30:00'),
    OUT('11:00:00', ACD, 'lee@WS-22'),
    ' 11:15:00 (adskflex) TIMESTAMP 3/3/2025',
  ))], OPTIONS);
  assert.deepEqual(await marked(store), [
    'ann WS-31 ACD 2025-03-03T13:00:00Z 2025-03-03T14:30:00Z 90 2 checkin N/A 0',
    'bob WS-33 RVT 2025-03-03T13:30:00Z 2025-03-03T14:00:00Z 30 1 inactive N/A 0',
    'cy WS-40 RVT 2025-03-03T13:40:00Z 2025-03-03T15:00:00Z 80 1 server-stop N/A 0',
    'lee WS-22 ACD 2025-03-03T16:00:00Z 2025-03-03T16:15:00Z 15 1 log-end N/A 0',
  ]);
});

// Rotated logs of one server: the first half leaves ann's, bob's and kim's second checkouts open
// at its last line (10:00); the second half holds ann's and bob's check-ins (ann's first, before
// any checkout of its own), and ends with kim's still open; the other second half starts with a
// restart (lmgrd started again, no stop line), which ends everything open before it at 10:00.
const ROTATED_1 = log(
  START('3/3/2025'),
  OUT(' 8:00:00', ACD, 'ann@WS-31'),
  OUT(' 8:10:00', RVT, 'bob@WS-33', '  (2 licenses)'),
  OUT(' 8:20:00', ACD, 'kim@WS-20'),
  IN(' 9:00:00', ACD, 'kim@WS-20'),
  OUT(' 9:30:00', ACD, 'kim@WS-20'),
  '10:00:00 (lmgrd) TIMESTAMP 3/3/2025',
);
const ROTATED_2 = log(
  '10:05:00 (lmgrd) TIMESTAMP 3/3/2025',
  IN('10:30:00', ACD, 'ann@WS-31', '  (INACTIVE)'),
  OUT('10:45:00', RVT, 'lee@WS-22'),
  IN('11:00:00', RVT, 'bob@WS-33', '  (2 licenses)'),
  IN('11:10:00', RVT, 'lee@WS-22'),
  '12:00:00 (lmgrd) TIMESTAMP 3/3/2025',
);
const ROTATED_2_RESTART = log(
  START('3/3/2025', '10:05:00'),
  IN('10:30:00', ACD, 'ann@WS-31'),
  OUT('10:45:00', RVT, 'lee@WS-22'),
  '12:00:00 (lmgrd) TIMESTAMP 3/3/2025',
);

for (const backend of ['duckdb', 'postgres'] as const) {
  test(`${backend}: rotated logs imported as separate batches, in either order and again, store what one batch of both stores`, async (t) => {
    for (const [name, second] of [['rotation', ROTATED_2], ['rotation at a restart', ROTATED_2_RESTART]] as const) {
      const a = source('debug.log.1', ROTATED_1);
      const b = source('debug.log', second);
      const together = await openFixtureStore(t, backend);
      await ingestFlexlmLog(together, [b, a], OPTIONS);
      const expected = await marked(together);
      for (const order of [[a, b], [b, a]]) {
        const store = await openFixtureStore(t, backend);
        const [firstBatch, secondBatch] = order as [LogSource, LogSource];
        await ingestFlexlmLog(store, [firstBatch], OPTIONS);
        const summary = await ingestFlexlmLog(store, [secondBatch], OPTIONS);
        const label = `${name}, ${firstBatch.name} then ${secondBatch.name}`;
        assert.deepEqual(await marked(store), expected, label);
        // The batch holding the later log revises the sessions the earlier one left open; the other way round, none is stored open.
        assert.equal(summary.revised, firstBatch === a ? 3 : 0, label);
        for (const again of [a, b, a]) {
          const repeated = await ingestFlexlmLog(store, [again], OPTIONS);
          assert.deepEqual([repeated.inserted, repeated.revised], [0, 0], `${label}, ${again.name} again`);
          assert.deepEqual(await marked(store), expected, `${label}, ${again.name} again`);
        }
      }
      if (name === 'rotation') {
        assert.deepEqual(expected, [
          'ann WS-31 ACD 2025-03-03T13:00:00Z 2025-03-03T15:30:00Z 150 1 inactive N/A 0',
          'bob WS-33 RVT 2025-03-03T13:10:00Z 2025-03-03T16:00:00Z 170 2 checkin N/A 0',
          'kim WS-20 ACD 2025-03-03T13:20:00Z 2025-03-03T14:00:00Z 40 1 checkin N/A 0',
          'kim WS-20 ACD 2025-03-03T14:30:00Z 2025-03-03T17:00:00Z 150 1 log-end N/A 0',
          'lee WS-22 RVT 2025-03-03T15:45:00Z 2025-03-03T16:10:00Z 25 1 checkin N/A 0',
        ]);
      } else {
        assert.deepEqual(expected, [
          'ann WS-31 ACD 2025-03-03T13:00:00Z 2025-03-03T15:00:00Z 120 1 server-stop N/A 0',
          'bob WS-33 RVT 2025-03-03T13:10:00Z 2025-03-03T15:00:00Z 110 2 server-stop N/A 0',
          'kim WS-20 ACD 2025-03-03T13:20:00Z 2025-03-03T14:00:00Z 40 1 checkin N/A 0',
          'kim WS-20 ACD 2025-03-03T14:30:00Z 2025-03-03T15:00:00Z 30 1 server-stop N/A 0',
          'lee WS-22 RVT 2025-03-03T15:45:00Z 2025-03-03T17:00:00Z 75 1 log-end N/A 0',
        ]);
      }
    }
  });
}
