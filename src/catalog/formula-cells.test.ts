import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { FORMULA_CELL_PATTERN, neutraliseFreeText, restoreFreeText } from './index.js';

// Issue 19 item 12 and issue 22: one definition of a formula-like cell for every file we write.
describe('neutraliseFreeText', () => {
  test('puts an apostrophe before a cell that begins with = + - @', () => {
    for (const text of ['=HYPERLINK("http://evil")', '+1', '-cmd', '@SUM(A1)']) assert.equal(neutraliseFreeText(text), `'${text}`);
  });

  test('neutralises the fullwidth look-alikes ＝＋－＠ too', () => {
    for (const text of ['＝1+1', '＋1', '－2', '＠SUM(A1)']) assert.equal(neutraliseFreeText(text), `'${text}`);
  });

  test('neutralises a sign after leading spaces, tabs or line breaks, and a leading tab or carriage return', () => {
    for (const text of [' =1+1', '\n=cmd', '\r\n+1', '  \t@x', '\u3000＝1', '\u00a0-1', '\tplain', '\rplain']) {
      assert.equal(neutraliseFreeText(text), `'${text}`, JSON.stringify(text));
    }
  });

  test('leaves ordinary text alone, signs inside the text too', () => {
    for (const text of ['NYC-WS0001', 'a=b', 'Design', '', ' plain', '\nplain', "'quoted", 'x-1']) assert.equal(neutraliseFreeText(text), text);
  });

  test('restoreFreeText undoes it for every text that does not itself begin with an apostrophe', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }).filter((s) => !s.startsWith("'")), (text) => restoreFreeText(neutraliseFreeText(text)) === text));
    fc.assert(fc.property(fc.constantFrom('=', '+', '-', '@', '＝', '＋', '－', '＠', ' =', '\n-', '\t'), fc.string(), (lead, rest) =>
      restoreFreeText(neutraliseFreeText(lead + rest)) === lead + rest));
  });

  test('the pattern has no backslash, so DuckDB (RE2) and PostgreSQL read it as JavaScript does', () => {
    assert.doesNotMatch(FORMULA_CELL_PATTERN, /\\/);
    assert.doesNotMatch(FORMULA_CELL_PATTERN, /'/);
  });
});
