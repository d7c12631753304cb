import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Product, UsageReferences } from '../../store/index.js';
import { RecordValidator } from '../validate-record.js';
import {
  FlexlmLogReader, recordId, type FlexlmDenial, type FlexlmItem, type FlexlmSession, type FlexlmSummary, type FlexlmUnmatchedCheckin, type LogSource,
} from './flexlm-log.js';
import { flexlmSessionValues, indexFeatureCodes } from './flexlm-records.js';
import type { SourceProblem } from './source-items.js';

// Hand-written from the debug-log format (FlexNet Publisher License Administration Guide, "Debug
// Log Messages") and the lines of real adskflex logs: an Autodesk network licence server in New
// York (UTC-05:00 in March), serving AutoCAD 2023 and Revit 2023.
const SERVER = 'NYC-LIC01';
const ACD = '87545ACD_2023_0F';
const REVIT = '86984REVIT_2023_0F';

const PRODUCTS: Product[] = [
  { productLineCode: 'ACD', version: '2023', productName: 'AutoCAD', featureCode: ACD, dailyTokenRate: 6, effectiveFrom: null, effectiveTo: null },
  { productLineCode: 'RVT', version: '2023', productName: 'Revit', featureCode: REVIT, dailyTokenRate: 10, effectiveFrom: null, effectiveTo: null },
];

const START = (date: string, time = ' 7:40:19') => `${time} (lmgrd) FlexNet Licensing (v11.16.2.1 build 245043 x64_n6) started on ${SERVER} (IBM PC) (${date})`;
const OUT = (time: string, feature: string, who: string, suffix = '') => `${time} (adskflex) OUT: "${feature}" ${who}${suffix}`;
const IN = (time: string, feature: string, who: string, suffix = '') => `${time} (adskflex) IN: "${feature}" ${who}${suffix}`;

/** A log file as the daemon writes it on Windows (CRLF). */
const log = (...lines: string[]) => `${lines.join('\r\n')}\r\n`;

/** A source whose text arrives in chunks of `size` bytes (a file stream cuts anywhere). */
function source(name: string, text: string, size = 1 << 16): LogSource {
  const bytes = Buffer.from(text, 'utf8');
  return {
    name,
    open: () => (function* () {
      for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
    })(),
  };
}

interface Read {
  readonly items: readonly FlexlmItem[];
  readonly sessions: readonly FlexlmSession[];
  readonly denials: readonly FlexlmDenial[];
  readonly checkins: readonly FlexlmUnmatchedCheckin[];
  readonly problems: readonly SourceProblem[];
  readonly summary: FlexlmSummary;
}

async function read(sources: readonly LogSource[], offsetMinutes = -300): Promise<Read> {
  const reader = new FlexlmLogReader({ server: SERVER, offsetMinutes, lookupFeature: indexFeatureCodes(PRODUCTS) });
  const items: FlexlmItem[] = [];
  for await (const chunk of reader.read(sources)) items.push(...chunk);
  return {
    items,
    sessions: items.filter((i): i is FlexlmSession => i.kind === 'session'),
    denials: items.filter((i): i is FlexlmDenial => i.kind === 'denial'),
    checkins: items.filter((i): i is FlexlmUnmatchedCheckin => i.kind === 'unmatched-checkin'),
    problems: items.filter((i): i is SourceProblem => i.kind === 'problem'),
    summary: reader.summary(),
  };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** A session in one line: who, what, when (UTC), how it ended, where it came from. */
const describe = (s: FlexlmSession) =>
  `${s.userName}@${s.host} ${s.productLineCode} ${s.productVersion} ×${s.licenses} ${iso(s.start)} → ${iso(s.end)} ${s.endedBy} ` +
  `(${s.file}:${s.line} → ${s.endFile}:${s.endLine ?? 'end'})`;

const sessionId = (feature: string, who: string, localTime: string, rank = 0) => {
  const [user, host] = who.split('@') as [string, string];
  return recordId('S', SERVER, feature, user, host, localTime, rank);
};

test('OUT/IN pairs become desktop sessions: local time and offset make UTC; the id is the server, feature, user, host and local checkout time', async () => {
  const { sessions, problems, summary } = await read([source('debug.log', log(
    START('3/3/2025'),
    ' 7:40:20 (adskflex) Server started on NYC-LIC01 for:\t87545ACD_2023_0F',
    OUT(' 8:02:11', ACD, 'jdoe@NYC-WS-014'),
    OUT(' 8:15:40', REVIT, 'ann@NYC-WS-031'),
    IN(' 9:47:30', ACD, 'jdoe@NYC-WS-014'),
    IN('12:01:00', REVIT, 'ann@NYC-WS-031'),
  ))]);
  assert.deepEqual(problems, []);
  assert.deepEqual(sessions.map(describe), [
    'jdoe@NYC-WS-014 ACD 2023 ×1 2025-03-03T13:02:11Z → 2025-03-03T14:47:30Z checkin (debug.log:3 → debug.log:5)',
    'ann@NYC-WS-031 RVT 2023 ×1 2025-03-03T13:15:40Z → 2025-03-03T17:01:00Z checkin (debug.log:4 → debug.log:6)',
  ]);
  assert.deepEqual(sessions.map((s) => s.id), [sessionId(ACD, 'jdoe@NYC-WS-014', '2025-03-03T08:02:11'), sessionId(REVIT, 'ann@NYC-WS-031', '2025-03-03T08:15:40')]);
  assert.match(sessions[0]!.id, /^flexlm-[0-9a-f]{32}$/);
  assert.deepEqual([summary.lines, summary.sessions, summary.sessionsEndedBy.checkin, summary.denials], [6, 2, 2, 0]);
  assert.deepEqual(summary.files, [{ name: 'debug.log', lines: 6, firstSeen: '2025-03-03T12:40:19Z', lastSeen: '2025-03-03T17:01:00Z' }]);
});

test('two open checkouts of one feature by one user@host are closed in the order they were opened', async () => {
  const { sessions } = await read([source('debug.log', log(
    START('3/3/2025'),
    OUT(' 8:02:11', ACD, 'jdoe@NYC-WS-014'),
    OUT(' 8:20:02', ACD, 'jdoe@NYC-WS-014'),
    OUT(' 8:20:02', ACD, 'jdoe@NYC-WS-014'),
    IN(' 9:47:30', ACD, 'jdoe@NYC-WS-014'),
    IN('13:30:00', ACD, 'jdoe@NYC-WS-014'),
    IN('13:30:05', ACD, 'jdoe@NYC-WS-014'),
  ))]);
  assert.deepEqual(sessions.map(describe), [
    'jdoe@NYC-WS-014 ACD 2023 ×1 2025-03-03T13:02:11Z → 2025-03-03T14:47:30Z checkin (debug.log:2 → debug.log:5)',
    'jdoe@NYC-WS-014 ACD 2023 ×1 2025-03-03T13:20:02Z → 2025-03-03T18:30:00Z checkin (debug.log:3 → debug.log:6)',
    'jdoe@NYC-WS-014 ACD 2023 ×1 2025-03-03T13:20:02Z → 2025-03-03T18:30:05Z checkin (debug.log:4 → debug.log:7)',
  ]);
  // Two checkouts in the same second are two sessions: the second's id carries its rank.
  assert.deepEqual(sessions.slice(1).map((s) => s.id), [
    sessionId(ACD, 'jdoe@NYC-WS-014', '2025-03-03T08:20:02'), sessionId(ACD, 'jdoe@NYC-WS-014', '2025-03-03T08:20:02', 1),
  ]);
  assert.equal(new Set(sessions.map((s) => s.id)).size, 3);
});

test('a checkout of (2 licenses) is one session holding two licences; an (INACTIVE) check-in says the server took it back', async () => {
  const { sessions } = await read([source('debug.log', log(
    START('3/3/2025'),
    OUT(' 8:15:40', REVIT, 'ann@NYC-WS-031', '  (2 licenses)'),
    OUT(' 8:16:00', ACD, 'bob@NYC-WS-007'),
    IN('12:01:00', REVIT, 'ann@NYC-WS-031', '  (2 licenses)'),
    IN('16:16:00', ACD, 'bob@NYC-WS-007', '  (INACTIVE)'),
  ))]);
  assert.deepEqual(sessions.map(describe), [
    'ann@NYC-WS-031 RVT 2023 ×2 2025-03-03T13:15:40Z → 2025-03-03T17:01:00Z checkin (debug.log:2 → debug.log:4)',
    'bob@NYC-WS-007 ACD 2023 ×1 2025-03-03T13:16:00Z → 2025-03-03T21:16:00Z inactive (debug.log:3 → debug.log:5)',
  ]);
});

test('a DENIED line is a denial record: time, feature, product, user, host, server, reason; UNSUPPORTED lines are counted, not denials', async () => {
  const { denials, summary } = await read([source('debug.log', log(
    START('3/3/2025'),
    '10:15:00 (adskflex) DENIED: "87545ACD_2023_0F" kim@NYC-WS-020  (Licensed number of users already reached. (-4,342:10054 ""))',
    '10:15:00 (adskflex) DENIED: "87545ACD_2023_0F" kim@NYC-WS-020  (Licensed number of users already reached. (-4,342:10054 ""))',
    '10:15:02 (adskflex) UNSUPPORTED: "87048BDSPRM_2023_0F" (PORT_AT_HOST_PLUS   ) kim@NYC-WS-020  (License server system does not support this feature. (-18,327:10054 ""))',
    '10:15:03 (adskflex) UNSUPPORTED: "87048BDSPRM_2023_0F" (PORT_AT_HOST_PLUS   ) kim@NYC-WS-020  (License server system does not support this feature. (-18,327:10054 ""))',
  ))]);
  const [first, second] = denials;
  assert.deepEqual(first, {
    kind: 'denial', id: recordId('D', SERVER, ACD, 'kim', 'NYC-WS-020', '2025-03-03T10:15:00', 0), server: SERVER, feature: ACD,
    productLineCode: 'ACD', productVersion: '2023', userName: 'kim', host: 'NYC-WS-020', licenses: 1, at: Date.parse('2025-03-03T15:15:00Z'),
    reason: 'Licensed number of users already reached.', reasonCode: '-4,342', file: 'debug.log', line: 2,
  });
  // The product retried in the same second: two denials, told apart by their rank.
  assert.deepEqual(second, { ...first, id: recordId('D', SERVER, ACD, 'kim', 'NYC-WS-020', '2025-03-03T10:15:00', 1), line: 3 });
  assert.equal(summary.denials, 2);
  assert.deepEqual(summary.unsupportedFeatures, [{ feature: '87048BDSPRM_2023_0F', lines: 2, file: 'debug.log', firstLine: 4, looksLike: 'BDSPRM 2023' }]);
  assert.equal(summary.unsupportedLines, 2);
  assert.deepEqual(summary.unknownFeatures, []);
});

test('a stop closes the open checkouts at its line; a restart without one closes them at the last line before it; the log end at its last line', async () => {
  const { sessions, checkins, summary } = await read([source('debug.log', log(
    START('3/3/2025'),
    OUT(' 8:02:11', ACD, 'jdoe@NYC-WS-014'),
    OUT(' 8:15:40', REVIT, 'ann@NYC-WS-031'),
    IN('12:00:00', REVIT, 'ann@NYC-WS-031'),
    '17:10:00 (lmgrd) SHUTDOWN request from admin at node NYC-LIC01',
    '17:10:00 (adskflex) EXITING DUE TO SIGNAL 15',
    '17:10:00 (lmgrd) EXITING DUE TO SIGNAL 15',
    START('3/4/2025'),
    OUT(' 8:00:00', ACD, 'jdoe@NYC-WS-014'),
    OUT(' 9:00:00', REVIT, 'ann@NYC-WS-031'),
    '11:00:00 (adskflex) TIMESTAMP 3/4/2025',
    START('3/4/2025', '15:00:00'),
    IN('15:05:00', ACD, 'jdoe@NYC-WS-014'),
    OUT('15:10:00', ACD, 'jdoe@NYC-WS-014'),
    '18:00:00 (lmgrd) TIMESTAMP 3/4/2025',
  ))]);
  assert.deepEqual(sessions.map(describe), [
    'ann@NYC-WS-031 RVT 2023 ×1 2025-03-03T13:15:40Z → 2025-03-03T17:00:00Z checkin (debug.log:3 → debug.log:4)',
    'jdoe@NYC-WS-014 ACD 2023 ×1 2025-03-03T13:02:11Z → 2025-03-03T22:10:00Z server-stop (debug.log:2 → debug.log:6)',
    'jdoe@NYC-WS-014 ACD 2023 ×1 2025-03-04T13:00:00Z → 2025-03-04T16:00:00Z server-stop (debug.log:9 → debug.log:11)',
    'ann@NYC-WS-031 RVT 2023 ×1 2025-03-04T14:00:00Z → 2025-03-04T16:00:00Z server-stop (debug.log:10 → debug.log:11)',
    'jdoe@NYC-WS-014 ACD 2023 ×1 2025-03-04T20:10:00Z → 2025-03-04T23:00:00Z log-end (debug.log:14 → debug.log:end)',
  ]);
  // The IN after the crash has no OUT since the restart, and cannot belong to an earlier log.
  assert.deepEqual(checkins, [{
    kind: 'unmatched-checkin', id: recordId('I', SERVER, ACD, 'jdoe', 'NYC-WS-014', '2025-03-04T15:05:00', 0), server: SERVER, feature: ACD,
    userName: 'jdoe', host: 'NYC-WS-014', at: Date.parse('2025-03-04T20:05:00Z'), inactive: false, atLogStart: false, file: 'debug.log', line: 13,
  }]);
  assert.deepEqual(summary.sessionsEndedBy, { checkin: 1, inactive: 0, 'server-stop': 3, 'log-end': 1 });
});

test('a session over midnight is one session', async () => {
  const { sessions } = await read([source('debug.log', log(
    START('3/3/2025'),
    OUT('23:30:00', ACD, 'jdoe@NYC-WS-014'),
    ' 0:00:02 (lmgrd) TIMESTAMP 3/4/2025',
    IN(' 0:45:00', ACD, 'jdoe@NYC-WS-014'),
  ))]);
  assert.deepEqual(sessions.map(describe), ['jdoe@NYC-WS-014 ACD 2023 ×1 2025-03-04T04:30:00Z → 2025-03-04T05:45:00Z checkin (debug.log:2 → debug.log:4)']);
  assert.equal(sessions[0]!.id, sessionId(ACD, 'jdoe@NYC-WS-014', '2025-03-03T23:30:00'));
});

test('without a TIMESTAMP the day changes when the time goes back, over several days', async () => {
  const { sessions } = await read([source('debug.log', log(
    START('3/3/2025'),
    OUT('22:10:00', REVIT, 'ann@NYC-WS-031'),
    OUT(' 1:05:00', ACD, 'jdoe@NYC-WS-014'),
    IN(' 2:00:00', REVIT, 'ann@NYC-WS-031'),
    IN(' 3:00:00', ACD, 'jdoe@NYC-WS-014'),
    OUT(' 1:00:00', ACD, 'jdoe@NYC-WS-014'),
    IN(' 1:30:00', ACD, 'jdoe@NYC-WS-014'),
  ))]);
  assert.deepEqual(sessions.map(describe), [
    'ann@NYC-WS-031 RVT 2023 ×1 2025-03-04T03:10:00Z → 2025-03-04T07:00:00Z checkin (debug.log:2 → debug.log:4)',
    'jdoe@NYC-WS-014 ACD 2023 ×1 2025-03-04T06:05:00Z → 2025-03-04T08:00:00Z checkin (debug.log:3 → debug.log:5)',
    'jdoe@NYC-WS-014 ACD 2023 ×1 2025-03-05T06:00:00Z → 2025-03-05T06:30:00Z checkin (debug.log:6 → debug.log:7)',
  ]);
});

test('a step back of up to an hour is the clock set back (the end of daylight saving time), not a new day', async () => {
  // New York, 2 November 2025: at 2:00 EDT the clock goes back to 1:00 EST. The offset is fixed
  // (the one given), so the hour repeats; no session is stretched by a day.
  const { sessions } = await read([source('debug.log', log(
    ' 0:30:00 (lmgrd) TIMESTAMP 11/2/2025',
    OUT(' 1:50:00', ACD, 'jdoe@NYC-WS-014'),
    OUT(' 1:05:00', REVIT, 'ann@NYC-WS-031'),
    IN(' 1:20:00', ACD, 'jdoe@NYC-WS-014'),
    IN(' 3:10:00', REVIT, 'ann@NYC-WS-031'),
  ))], -300);
  assert.deepEqual(sessions.map(describe), [
    // Its check-in reads earlier than its checkout: the session ends where it began.
    'jdoe@NYC-WS-014 ACD 2023 ×1 2025-11-02T06:50:00Z → 2025-11-02T06:50:00Z checkin (debug.log:2 → debug.log:4)',
    'ann@NYC-WS-031 RVT 2023 ×1 2025-11-02T06:05:00Z → 2025-11-02T08:10:00Z checkin (debug.log:3 → debug.log:5)',
  ]);
});

test('lines before the first TIMESTAMP are dated from it, back over midnight', async () => {
  const { sessions, problems } = await read([source('rotated.log', log(
    OUT('23:50:00', ACD, 'jdoe@NYC-WS-014'),
    IN(' 0:10:00', ACD, 'jdoe@NYC-WS-014'),
    ' 0:30:00 (adskflex) TIMESTAMP 3/5/2025',
  ))]);
  assert.deepEqual(problems, []);
  assert.deepEqual(sessions.map(describe), ['jdoe@NYC-WS-014 ACD 2023 ×1 2025-03-05T04:50:00Z → 2025-03-05T05:10:00Z checkin (rotated.log:1 → rotated.log:2)']);
});

test('a feature no product has is reported by name with its line count, and none of its lines become records', async () => {
  const { sessions, denials, summary } = await read([source('debug.log', log(
    START('3/3/2025'),
    OUT(' 8:00:00', '87600INVPROSA_2024_0F', 'lee@NYC-WS-040'),
    '8:30:00 (adskflex) DENIED: "87600INVPROSA_2024_0F" kim@NYC-WS-020  (Licensed number of users already reached. (-4,342:10054 ""))',
    IN(' 9:00:00', '87600INVPROSA_2024_0F', 'lee@NYC-WS-040'),
    OUT(' 9:01:00', 'MYPLUGIN', 'lee@NYC-WS-040'),
  ))]);
  assert.deepEqual([sessions, denials], [[], []]);
  assert.deepEqual(summary.unknownFeatures, [
    { feature: '87600INVPROSA_2024_0F', lines: 3, file: 'debug.log', firstLine: 2, looksLike: 'INVPROSA 2024' },
    { feature: 'MYPLUGIN', lines: 1, file: 'debug.log', firstLine: 5, looksLike: null },
  ]);
  assert.equal(summary.unknownFeatureLines, 4);
});

const HALF_1 = log(
  START('3/3/2025'),
  OUT(' 8:02:11', ACD, 'jdoe@NYC-WS-014'),
  OUT(' 8:15:40', REVIT, 'ann@NYC-WS-031'),
  IN(' 9:00:00', REVIT, 'ann@NYC-WS-031'),
  '11:59:59 (adskflex) TIMESTAMP 3/3/2025',
);
// The log after a rotation (lmswitch): it starts hours before its first TIMESTAMP.
const HALF_2 = log(
  OUT('12:30:00', REVIT, 'ann@NYC-WS-031'),
  IN('13:30:00', ACD, 'jdoe@NYC-WS-014'),
  IN('14:00:00', REVIT, 'ann@NYC-WS-031'),
  '17:59:59 (adskflex) TIMESTAMP 3/3/2025',
);

test('two rotated halves given in reverse order are read in time order: the session cut by the rotation is one session', async () => {
  const { sessions, checkins, problems, summary } = await read([source('debug.log', HALF_2), source('debug.log.1', HALF_1)]);
  assert.deepEqual(problems, []);
  assert.deepEqual(checkins, []);
  assert.deepEqual(sessions.map(describe), [
    'ann@NYC-WS-031 RVT 2023 ×1 2025-03-03T13:15:40Z → 2025-03-03T14:00:00Z checkin (debug.log.1:3 → debug.log.1:4)',
    'jdoe@NYC-WS-014 ACD 2023 ×1 2025-03-03T13:02:11Z → 2025-03-03T18:30:00Z checkin (debug.log.1:2 → debug.log:2)',
    'ann@NYC-WS-031 RVT 2023 ×1 2025-03-03T17:30:00Z → 2025-03-03T19:00:00Z checkin (debug.log:1 → debug.log:3)',
  ]);
  assert.deepEqual(summary.files.map((f) => f.name), ['debug.log.1', 'debug.log']);
});

test('the halves read apart: the cut session ends provisionally at the first half\'s end, with the same id; the second half\'s check-in is left for the batch to join', async () => {
  const first = await read([source('debug.log.1', HALF_1)]);
  const second = await read([source('debug.log', HALF_2)]);
  const together = await read([source('debug.log', HALF_2), source('debug.log.1', HALF_1)]);
  assert.deepEqual(first.sessions.map(describe), [
    'ann@NYC-WS-031 RVT 2023 ×1 2025-03-03T13:15:40Z → 2025-03-03T14:00:00Z checkin (debug.log.1:3 → debug.log.1:4)',
    'jdoe@NYC-WS-014 ACD 2023 ×1 2025-03-03T13:02:11Z → 2025-03-03T16:59:59Z log-end (debug.log.1:2 → debug.log.1:end)',
  ]);
  assert.deepEqual(second.checkins, [{
    kind: 'unmatched-checkin', id: recordId('I', SERVER, ACD, 'jdoe', 'NYC-WS-014', '2025-03-03T13:30:00', 0), server: SERVER, feature: ACD,
    userName: 'jdoe', host: 'NYC-WS-014', at: Date.parse('2025-03-03T18:30:00Z'), inactive: false, atLogStart: true, file: 'debug.log', line: 2,
  }]);
  // Every id of the halves read apart is an id of the halves read together, and the other way round.
  const ids = (r: Read) => [...new Set(r.sessions.map((s) => s.id))].sort();
  assert.deepEqual([...new Set([...ids(first), ...ids(second)])].sort(), ids(together));
});

test('the same log twice gives the same records with the same ids, so the batch counts each once', async () => {
  const text = log(
    START('3/3/2025'),
    OUT(' 8:02:11', ACD, 'jdoe@NYC-WS-014'),
    '10:15:00 (adskflex) DENIED: "87545ACD_2023_0F" kim@NYC-WS-020  (Licensed number of users already reached. (-4,342:10054 ""))',
    OUT('10:20:00', REVIT, 'ann@NYC-WS-031'),
    IN('12:00:00', REVIT, 'ann@NYC-WS-031'),
  );
  const once = await read([source('debug.log', text)]);
  const twice = await read([source('debug.log', text), source('copy of debug.log', text)]);
  const key = (i: FlexlmItem) => (i.kind === 'session' || i.kind === 'denial' ? `${i.id} ${JSON.stringify({ ...i, file: '', endFile: '' })}` : i.kind);
  const distinct = (r: Read) => [...new Set(r.items.map(key))].sort();
  assert.deepEqual(distinct(twice), distinct(once));
  assert.equal(twice.sessions.length, 3); // ann's twice, jdoe's open one once: a provisional session is kept once per id
  assert.equal(twice.denials.length, 2);
});

test('a longer copy read after a shorter one ends the shorter one\'s provisional session for real', async () => {
  const shorter = log(START('3/3/2025'), OUT(' 8:02:11', ACD, 'jdoe@NYC-WS-014'), '11:00:00 (lmgrd) TIMESTAMP 3/3/2025');
  const longer = log(START('3/3/2025'), OUT(' 8:02:11', ACD, 'jdoe@NYC-WS-014'), '11:00:00 (lmgrd) TIMESTAMP 3/3/2025', IN('12:00:00', ACD, 'jdoe@NYC-WS-014'));
  const { sessions } = await read([source('monday.log', shorter), source('tuesday.log', longer)]);
  assert.deepEqual(sessions.map(describe), ['jdoe@NYC-WS-014 ACD 2023 ×1 2025-03-03T13:02:11Z → 2025-03-03T17:00:00Z checkin (tuesday.log:2 → tuesday.log:4)']);
});

test('the records do not depend on where the chunks of the file are cut', async () => {
  const text = `\ufeff${HALF_1}${HALF_2.replace(/\r\n/g, '\n')}`;
  const whole = await read([source('debug.log', text)]);
  const cut = await read([source('debug.log', text, 7)]);
  assert.deepEqual(cut.items, whole.items);
  assert.equal(whole.sessions.length, 3);
});

test('refused lines name their file, line and reason; lines that are not log lines are counted', async () => {
  const { problems, sessions, summary } = await read([
    source('debug.log', log(
      START('3/3/2025'),
      OUT(' 8:02:11', ACD, 'jdoe'),
      'some text an editor added',
      OUT(' 8:15:40', REVIT, 'ann@NYC-WS-031'),
      '8:20:00 (adskflex) TIMESTAMP 3/32/2025',
    )),
    source('undated.log', log(OUT(' 9:00:00', ACD, 'jdoe@NYC-WS-014'), '10:00:00 (lmgrd) lmgrd tcp-port 27000')),
    source('notes.txt', 'Monday: the licence server was slow\n'),
    source('empty.log', ''),
  ]);
  assert.deepEqual(problems.map((p) => `${p.file}:${p.line} ${p.message}`), [
    "debug.log:2 expected user@host after the feature, found 'jdoe'",
    "debug.log:5 the TIMESTAMP '3/32/2025' is not a date m/d/yyyy",
    'undated.log:1 the log has no TIMESTAMP line or lmgrd start line to date the events from here on',
    "notes.txt:1 this is not a FlexNet debug log: no line has the form 'HH:MM:SS (daemon) message'",
    'empty.log:1 the file is empty',
  ]);
  assert.ok(problems.every((p) => p.kind === 'problem' && p.field === ''));
  assert.equal(sessions.length, 1);
  assert.deepEqual([summary.foreignLines, summary.firstForeignLines], [2, [{ file: 'debug.log', line: 3 }, { file: 'notes.txt', line: 1 }]]);
});

test('a session becomes a desktop record of the usage record format, which the batch validation accepts', async () => {
  const { sessions } = await read([source('debug.log', log(START('3/3/2025'), OUT(' 8:02:11', ACD, 'jdoe@NYC-WS-014'), IN(' 9:47:30', ACD, 'jdoe@NYC-WS-014')))]);
  const session = sessions[0]!;
  const values = flexlmSessionValues(session, { contractNumber: 'C1', offset: '-05:00', source: 'sus' });
  assert.deepEqual(values, {
    id: session.id, usageCategory: 'DESKTOP_PRODUCT', contractNumber: 'C1', source: 'sus', userName: 'jdoe', machineName: 'NYC-WS-014',
    productLineCode: 'ACD', productVersion: '2023', productFeatureCode: ACD, licenseServerName: SERVER,
    licenseServerTimeZoneOffset: '-05:00', sessionStartDate: '2025-03-03T13:02:11Z', sessionEndDate: '2025-03-03T14:47:30Z',
  });
  const references: UsageReferences = {
    contracts: [{ contractNumber: 'C1', teamId: 'T1', years: [{ year: 1, startDate: '2025-01-01', endDate: '2025-12-31', provisionedTokens: 100 }] }],
    teamIds: ['T1'],
    products: PRODUCTS,
  };
  const result = new RecordValidator(references).validate({ line: session.line, values, fromCsv: false });
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual([result.record.id, result.record.usageDate, result.record.sessionStart, result.record.sessionEnd, result.record.productName],
    [session.id, '2025-03-03', session.start, session.end, 'AutoCAD']);
});
