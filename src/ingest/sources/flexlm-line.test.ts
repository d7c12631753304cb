import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guessFeatureProduct, parseFlexlmLine, parseLogDate } from './flexlm-line.js';

const parse = (text: string) => parseFlexlmLine(text, 'adskflex');
const at = (h: number, m: number, s: number) => (h * 60 + m) * 60 + s;

test('an OUT line gives the time, feature, user and host; the hour may be padded with a space', () => {
  assert.deepEqual(parse(' 8:02:11 (adskflex) OUT: "87545ACD_2023_0F" jdoe@NYC-WS-014'), {
    kind: 'out', seconds: at(8, 2, 11), daemon: 'adskflex', feature: '87545ACD_2023_0F', user: 'jdoe', host: 'NYC-WS-014',
    licenses: 1, inactive: false, reason: null, reasonCode: null,
  });
  assert.equal((parse('08:02:11 (adskflex) OUT: "F" a@b') as { seconds: number }).seconds, at(8, 2, 11));
});

test('the (n licenses) suffix, on OUT and IN alike, and (INACTIVE) on an IN', () => {
  const out = parse('10:00:00 (adskflex) OUT: "86984REVIT_2023_0F" ann@NYC-WS-031  (2 licenses)');
  assert.equal(out.kind === 'out' && out.licenses, 2);
  const checkin = parse('11:00:00 (adskflex) IN: "86984REVIT_2023_0F" ann@NYC-WS-031  (2 licenses)');
  assert.equal(checkin.kind === 'in' && checkin.licenses, 2);
  const idle = parse('17:30:05 (adskflex) IN: "87545ACD_2023_0F" ann@NYC-WS-031  (INACTIVE)');
  assert.deepEqual(idle.kind === 'in' && [idle.inactive, idle.licenses, idle.reason], [true, 1, null]);
  assert.equal((parse('10:00:00 (adskflex) OUT: "F" a@b  (1 license)') as { licenses: number }).licenses, 1);
});

test('a DENIED line gives the reason sentence and its FlexNet error code apart', () => {
  const denied = parse('10:15:00 (adskflex) DENIED: "87545ACD_2023_0F" kim@NYC-WS-020  (Licensed number of users already reached. (-4,342:10054 ""))');
  assert.deepEqual(denied, {
    kind: 'denied', seconds: at(10, 15, 0), daemon: 'adskflex', feature: '87545ACD_2023_0F', user: 'kim', host: 'NYC-WS-020',
    licenses: 1, inactive: false, reason: 'Licensed number of users already reached.', reasonCode: '-4,342',
  });
  const withCount = parse('18:48:22 (adskflex) DENIED: "F" ask@node353  (25 licenses) (Users are queued for this feature. (-24,332))');
  assert.deepEqual(withCount.kind === 'denied' && [withCount.licenses, withCount.reason, withCount.reasonCode], [25, 'Users are queued for this feature.', '-24,332']);
  const plain = parse('10:15:00 (adskflex) DENIED: "F" kim@PC  (User/host on EXCLUDE list for feature.)');
  assert.deepEqual(plain.kind === 'denied' && [plain.reason, plain.reasonCode], ['User/host on EXCLUDE list for feature.', null]);
});

test('an UNSUPPORTED line skips its (PORT_AT_HOST_PLUS) group; a Windows user name may hold spaces', () => {
  const line = parse('19:20:54 (adskflex) UNSUPPORTED: "86984REVIT_2023_0F" (PORT_AT_HOST_PLUS   ) LOCAL SERVICE@DESKTOP-07VCTIN  (License server system does not support this feature. (-18,327:10054 ""))');
  assert.deepEqual(line.kind === 'unsupported' && [line.feature, line.user, line.host, line.reason, line.reasonCode],
    ['86984REVIT_2023_0F', 'LOCAL SERVICE', 'DESKTOP-07VCTIN', 'License server system does not support this feature.', '-18,327']);
});

test('an unquoted feature (older logs), checkout data in brackets, and a user holding @', () => {
  const line = parse('9:00:00 (adskflex) OUT: 51300ACD_2010_0F j.doe@corp.example@PC-7 [job 42]  (3 licenses)');
  assert.deepEqual(line.kind === 'out' && [line.feature, line.user, line.host, line.licenses], ['51300ACD_2010_0F', 'j.doe@corp.example', 'PC-7', 3]);
});

test('TIMESTAMP lines of any daemon carry the date; lmgrd\'s start line carries it too', () => {
  assert.deepEqual(parse('16:01:34 (lmgrd) TIMESTAMP 4/8/2019'), { kind: 'timestamp', seconds: at(16, 1, 34), daemon: 'lmgrd', date: { year: 2019, month: 4, day: 8 } });
  assert.equal(parse('16:06:37 (adskflex) TIMESTAMP 12/31/2024').kind, 'timestamp');
  assert.equal(parse('1:00:00 (MLM) TIMESTAMP 1/2/2025').kind, 'timestamp');
  assert.deepEqual(parse(' 7:40:19 (lmgrd) FlexNet Licensing (v11.16.2.1 build 245043 x64_n6) started on NYC-LIC01 (IBM PC) (3/3/2025)'),
    { kind: 'start', seconds: at(7, 40, 19), daemon: 'lmgrd', date: { year: 2025, month: 3, day: 3 } });
  assert.deepEqual(parse(' 7:40:20 (adskflex) Server started on NYC-LIC01 for:\t87545ACD_2023_0F'),
    { kind: 'start', seconds: at(7, 40, 20), daemon: 'adskflex', date: null });
});

test('EXITING of either daemon and lmgrd shutting the vendor down are stops; a plain lmgrd line is not', () => {
  for (const text of ['17:10:00 (adskflex) EXITING DUE TO SIGNAL 15', '17:10:00 (lmgrd) EXITING DUE TO SIGNAL 15',
    '17:10:00 (adskflex) EXITING with code 0', '17:10:00 (lmgrd) Shutting down adskflex pid=4312 because of signal 15']) {
    assert.equal(parse(text).kind, 'stop', text);
  }
  assert.equal(parse('17:10:00 (lmgrd) SHUTDOWN request from admin at node NYC-LIC01').kind, 'other');
  assert.equal(parse(' 7:40:19 (lmgrd) Started adskflex (pid 4312)').kind, 'other');
});

test('another vendor\'s events and lmgrd\'s chatter are other lines; blank and non-log lines are told apart', () => {
  assert.equal(parse('14:02:17 (MLM) OUT: "MATLAB" u697815@login1').kind, 'other');
  assert.equal(parse(' 7:40:19 (lmgrd) (@lmgrd-SLOG@) === Network Info ===').kind, 'other');
  assert.equal(parse('   ').kind, 'blank');
  assert.equal(parse('').kind, 'blank');
  for (const text of ['Start-Date: Mon Oct 06 2014', '8:02 (adskflex) OUT: "F" a@b', '8:02:11 adskflex OUT', '8:02:11 (adskflex']) {
    assert.equal(parse(text).kind, 'foreign', text);
  }
});

test('vendor lines that cannot be read are malformed, with the reason', () => {
  const reasons = [
    '8:02:11 (adskflex) OUT: "87545ACD_2023_0F" jdoe',
    '8:02:11 (adskflex) OUT: "87545ACD_2023_0F',
    '8:02:11 (adskflex) IN: ',
    '8:02:11 (adskflex) OUT: "F" a@b  (0 licenses)',
    '8:02:11 (adskflex) DENIED: "F" a@b  (Licensed number',
    '8:02:11 (adskflex) OUT: "F" j\uFFFDrg@PC',
    '25:02:11 (adskflex) OUT: "F" a@b',
    '8:02:11 (lmgrd) TIMESTAMP 2/30/2025',
  ].map((text) => {
    const line = parse(text);
    return line.kind === 'malformed' ? line.reason : `not malformed: ${line.kind}`;
  });
  assert.deepEqual(reasons, [
    "expected user@host after the feature, found 'jdoe'",
    'the feature name has no closing quote',
    'IN names no feature',
    "'(0 licenses)' is not a number of licenses from 1 to 1,000,000",
    'a parenthesis is not closed',
    'the line is not valid UTF-8 text (is the log in another encoding?)',
    '25:02:11 is not a time of day',
    "the TIMESTAMP '2/30/2025' is not a date m/d/yyyy",
  ]);
  assert.equal(parse('25:02:11 (lmgrd) anything').kind, 'foreign');
});

test('log dates are m/d/yyyy calendar days', () => {
  assert.deepEqual(parseLogDate('2/29/2024'), { year: 2024, month: 2, day: 29 });
  assert.equal(parseLogDate('2/29/2025'), undefined);
  assert.equal(parseLogDate('2025-02-01'), undefined);
});

test('an Autodesk feature code hints at its product line and version', () => {
  assert.equal(guessFeatureProduct('87545ACD_2023_0F'), 'ACD 2023');
  assert.equal(guessFeatureProduct('86984REVIT_2023_0F'), 'REVIT 2023');
  assert.equal(guessFeatureProduct('MATLAB'), null);
});
