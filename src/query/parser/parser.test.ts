import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import { tokenize } from '../lexer/index.js';
import { parseFilter, parseOrderBy } from './parser.js';

interface ExpectedError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly snippet?: string;
}

/** Asserts that `run` throws an AppError with this code, message and position. */
function assertClauseError(run: () => unknown, expected: ExpectedError): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(AppError.is(error), `expected an AppError, got ${String(error)}`);
    assert.equal(error.code, expected.code);
    assert.equal(error.message, expected.message);
    assert.equal(error.position?.line, expected.line, 'line');
    assert.equal(error.position?.column, expected.column, 'column');
    if (expected.snippet !== undefined) assert.equal(error.snippet, expected.snippet);
    return true;
  });
}

describe('the where parser', () => {
  test('treats an empty or blank clause as no filter', () => {
    assert.equal(parseFilter(''), undefined);
    assert.equal(parseFilter('  \n\t '), undefined);
  });

  test('parses the Token Flex reference clause into an and of a comparison and an in list', () => {
    const node = parseFilter("contractYear = 2 and productName IN ('AutoCAD', 'Maya')");
    assert.equal(node?.kind, 'And');
    assert.ok(node?.kind === 'And');
    const [comparison, inList] = node.operands;
    assert.ok(comparison?.kind === 'Comparison' && comparison.left.kind === 'Field');
    assert.equal(comparison.left.name, 'contractYear');
    assert.equal(comparison.operator, '=');
    assert.deepEqual(comparison.right, {
      kind: 'Literal', type: 'number', value: 2, text: '2', span: { start: 15, end: 16, line: 1, column: 16 },
    });
    assert.ok(inList?.kind === 'In');
    assert.deepEqual(inList.values.map((value) => value.value), ['AutoCAD', 'Maya']);
    assert.deepEqual(inList.span, { start: 21, end: 55, line: 1, column: 22 });
  });

  test('binds and tighter than or and keeps parentheses as a group', () => {
    const node = parseFilter("a = 1 or b = 2 and (c = 'x' or d IS NULL)");
    assert.ok(node?.kind === 'Or');
    assert.equal(node.operands[0]?.kind, 'Comparison');
    const right = node.operands[1];
    assert.ok(right?.kind === 'And');
    assert.equal(right.operands[1]?.kind, 'Group');
  });

  test('reads keywords in any case', () => {
    const node = parseFilter("a like 'abc%' Or b bEtWeEn 1 AnD 2 or c iS nUlL or d In (TRUE, false)");
    assert.ok(node?.kind === 'Or');
    assert.deepEqual(node.operands.map((operand) => operand.kind), ['Like', 'Between', 'IsNull', 'In']);
  });

  test('unescapes a doubled quote inside a string', () => {
    const node = parseFilter("productName = 'O''Brien''s'");
    assert.ok(node?.kind === 'Comparison');
    assert.equal(node.right.value, "O'Brien's");
  });

  test('reads negative and decimal numbers', () => {
    const node = parseFilter('a = -1.25');
    assert.ok(node?.kind === 'Comparison');
    assert.equal(node.right.value, -1.25);
  });

  test('accepts a literal-only comparison such as 1=1', () => {
    const node = parseFilter("1=1 and 'a' <> 'b'");
    assert.ok(node?.kind === 'And');
    assert.deepEqual(node.operands.map((operand) => operand.kind), ['Comparison', 'Comparison']);
  });

  test('gives every token its offsets, line and column, across lines', () => {
    const tokens = tokenize("a = 'x\ny'\n  and b >= 2");
    assert.deepEqual(
      tokens.map(({ kind, value, start, end, line, column }) => [kind, value, start, end, line, column]),
      [
        ['<field name>', 'a', 0, 1, 1, 1],
        ['=', '=', 2, 3, 1, 3],
        ['<string>', 'x\ny', 4, 9, 1, 5],
        ['AND', 'and', 12, 15, 3, 3],
        ['<field name>', 'b', 16, 17, 3, 7],
        ['>=', '>=', 18, 20, 3, 9],
        ['<number>', '2', 21, 22, 3, 12],
        ['<end of input>', '', 22, 22, 3, 13],
      ],
    );
  });
});

describe('the keyword not', () => {
  test('is rejected in front of a comparison, suggesting !=', () => {
    assertClauseError(() => parseFilter("not productName = 'Maya'"), {
      code: 'FILTER_NOT_SUPPORTED',
      message: 'The keyword `not` is not supported; write `productName != …` instead of `not productName = …`.',
      line: 1,
      column: 1,
      snippet: "not productName = 'Maya'\n^^^",
    });
  });

  test('is rejected in front of a != comparison, suggesting =', () => {
    assertClauseError(() => parseFilter("a = 1 and NOT productName != 'Maya'"), {
      code: 'FILTER_NOT_SUPPORTED',
      message: 'The keyword `not` is not supported; write `productName = …` instead of `not productName != …`.',
      line: 1,
      column: 11,
    });
  });

  test('is rejected in front of a parenthesis, suggesting to negate the comparison itself', () => {
    assertClauseError(() => parseFilter('not (contractYear < 2)'), {
      code: 'FILTER_NOT_SUPPORTED',
      message: 'The keyword `not` is not supported; negate the comparison itself instead, with `!=` for `=` and `=` for `!=`.',
      line: 1,
      column: 1,
    });
    assertClauseError(() => parseFilter('NOT contractYear < 2'), {
      code: 'FILTER_NOT_SUPPORTED',
      message: 'The keyword `not` is not supported; write `contractYear >= …` instead of `not contractYear < …`.',
      line: 1,
      column: 1,
    });
  });

  test('is rejected in NOT IN, suggesting != for each value', () => {
    assertClauseError(() => parseFilter("productName NOT IN ('AutoCAD', 'Maya')"), {
      code: 'FILTER_NOT_SUPPORTED',
      message: '`NOT IN` is not supported: the keyword `not` is rejected. '
        + "Use `!=` for each value instead, e.g. `productName != 'a' and productName != 'b'`.",
      line: 1,
      column: 13,
      snippet: "productName NOT IN ('AutoCAD', 'Maya')\n            ^^^^^^",
    });
  });

  test('is rejected in NOT LIKE', () => {
    assertClauseError(() => parseFilter("userName not like 'adm%'"), {
      code: 'FILTER_NOT_SUPPORTED',
      message: '`NOT LIKE` is not supported: the keyword `not` is rejected. Use `!=` to exclude an exact value.',
      line: 1,
      column: 10,
    });
  });

  test('is rejected in NOT BETWEEN, suggesting < and >', () => {
    assertClauseError(() => parseFilter('contractYear not between 1 and 2'), {
      code: 'FILTER_NOT_SUPPORTED',
      message: '`NOT BETWEEN` is not supported: the keyword `not` is rejected. '
        + 'Use `<` and `>` instead, e.g. `contractYear < 1 or contractYear > 9`.',
      line: 1,
      column: 14,
    });
  });

  test('is rejected in IS NOT NULL', () => {
    assertClauseError(() => parseFilter('a = 1 and\nmachineName IS NOT NULL'), {
      code: 'FILTER_NOT_SUPPORTED',
      message: '`IS NOT NULL` is not supported: the keyword `not` is rejected. '
        + 'Only `IS NULL` can be tested; to exclude a value, use `!=`.',
      line: 2,
      column: 13,
      snippet: 'machineName IS NOT NULL\n            ^^^^^^^^^^^',
    });
  });
});

describe('where syntax errors', () => {
  test('rejects parentheses nested two levels deep at the inner parenthesis', () => {
    assertClauseError(() => parseFilter("(a = 1 or (b = 2 and c = 'x'))"), {
      code: 'FILTER_NESTING_TOO_DEEP',
      message: 'Parentheses nest at most one level deep; remove the inner `(` and `)` or rewrite the condition without them.',
      line: 1,
      column: 11,
      snippet: "(a = 1 or (b = 2 and c = 'x'))\n          ^",
    });
  });

  test('accepts one level of parentheses', () => {
    assert.equal(parseFilter('(a = 1 or b = 2) and (c = 3)')?.kind, 'And');
  });

  test('reports an unterminated string at its opening quote', () => {
    assertClauseError(() => parseFilter("productName = 'AutoCAD"), {
      code: 'FILTER_SYNTAX',
      message: "Unterminated string: add a closing `'` (write a quote inside a string as `''`).",
      line: 1,
      column: 15,
      snippet: "productName = 'AutoCAD\n              ^^^^^^^^",
    });
  });

  test('reports trailing garbage after a complete condition', () => {
    assertClauseError(() => parseFilter("productName = 'Maya' contractYear = 2"), {
      code: 'FILTER_SYNTAX',
      message: 'Expected `AND`, `OR` or <end of input>, found `contractYear`. Did you forget `and` or `or` between two conditions?',
      line: 1,
      column: 22,
      snippet: "productName = 'Maya' contractYear = 2\n                     ^^^^^^^^^^^^",
    });
  });

  test('suggests = for ==', () => {
    assertClauseError(() => parseFilter('contractYear == 2'), {
      code: 'FILTER_SYNTAX',
      message: 'Unexpected `==`; did you mean `=`?',
      line: 1,
      column: 14,
      snippet: 'contractYear == 2\n             ^^',
    });
  });

  test('suggests and for && and or for ||', () => {
    assertClauseError(() => parseFilter('a = 1 && b = 2'), {
      code: 'FILTER_SYNTAX', message: 'Unexpected `&&`; did you mean `and`?', line: 1, column: 7,
    });
    assertClauseError(() => parseFilter('a = 1 || b = 2'), {
      code: 'FILTER_SYNTAX', message: 'Unexpected `||`; did you mean `or`?', line: 1, column: 7,
    });
  });

  test('suggests >= for => and != for a lone !', () => {
    assertClauseError(() => parseFilter('a => 1'), {
      code: 'FILTER_SYNTAX', message: 'Unexpected `=>`; did you mean `>=`?', line: 1, column: 3,
    });
    assertClauseError(() => parseFilter('a ! 1'), {
      code: 'FILTER_SYNTAX',
      message: 'Unexpected `!`; did you mean `!=`? (the keyword `not` is not supported)',
      line: 1,
      column: 3,
    });
  });

  test('rejects a semicolon, comments, double quotes and backticks', () => {
    assertClauseError(() => parseFilter("a = 'x'; drop table users"), {
      code: 'FILTER_SYNTAX', message: 'Unexpected `;`: statements cannot be chained.', line: 1, column: 8,
    });
    assertClauseError(() => parseFilter("a = 'x' -- and b = 1"), {
      code: 'FILTER_SYNTAX', message: 'Unexpected `--`: comments are not allowed.', line: 1, column: 9,
    });
    assertClauseError(() => parseFilter("a = 'x' /* c */"), {
      code: 'FILTER_SYNTAX', message: 'Unexpected `/*`: comments are not allowed.', line: 1, column: 9,
    });
    assertClauseError(() => parseFilter('a = "x"'), {
      code: 'FILTER_SYNTAX',
      message: 'Unexpected `"`: strings are written in single quotes, e.g. \'AutoCAD\'.',
      line: 1,
      column: 5,
    });
    assertClauseError(() => parseFilter('`a` = 1'), {
      code: 'FILTER_SYNTAX',
      message: 'Unexpected `` ` ``: field names are written without quotes.',
      line: 1,
      column: 1,
    });
  });

  test('names a stray non-ASCII or control character by its code point', () => {
    assertClauseError(() => parseFilter('a = 1\u00a0'), {
      code: 'FILTER_SYNTAX', message: 'Unexpected character U+00A0.', line: 1, column: 6,
    });
    assertClauseError(() => parseFilter('a = 1 ☃'), {
      code: 'FILTER_SYNTAX', message: 'Unexpected character `☃`.', line: 1, column: 7,
    });
  });

  test('rejects malformed numbers', () => {
    assertClauseError(() => parseFilter('a = 1.'), {
      code: 'FILTER_SYNTAX', message: 'Invalid number: expected a digit after the decimal point.', line: 1, column: 5,
    });
    assertClauseError(() => parseFilter('a = 12abc'), {
      code: 'FILTER_SYNTAX', message: 'Invalid number `12abc`: numbers are written like 2, -1 or 0.5.', line: 1, column: 5,
    });
    assertClauseError(() => parseFilter('a = .5'), {
      code: 'FILTER_SYNTAX',
      message: 'Unexpected `.`: a number needs a digit before its decimal point, e.g. 0.5.',
      line: 1,
      column: 5,
    });
  });

  test('reports an unclosed parenthesis at the end of input', () => {
    assertClauseError(() => parseFilter('(a = 1 or b = 2'), {
      code: 'FILTER_SYNTAX',
      message: 'Expected `)`, found <end of input>. A `(` is not closed.',
      line: 1,
      column: 16,
      snippet: '(a = 1 or b = 2\n               ^',
    });
  });

  test('reports a closing parenthesis that closes nothing', () => {
    assertClauseError(() => parseFilter('a = 1)'), {
      code: 'FILTER_SYNTAX',
      message: 'Expected `AND`, `OR` or <end of input>, found `)`. This `)` closes no `(`.',
      line: 1,
      column: 6,
    });
  });

  test('suggests quotes for an unquoted string value', () => {
    assertClauseError(() => parseFilter('productName = AutoCAD'), {
      code: 'FILTER_SYNTAX',
      message: 'Expected a value (a quoted string, a number, TRUE or FALSE), found `AutoCAD`. '
        + "Strings are written in single quotes: did you mean `'AutoCAD'`?",
      line: 1,
      column: 15,
    });
  });

  test('suggests IS NULL for = null', () => {
    assertClauseError(() => parseFilter('machineName = null'), {
      code: 'FILTER_SYNTAX',
      message: 'Expected a value (a quoted string, a number, TRUE or FALSE), found `NULL`. '
        + 'To test for a missing value, write `IS NULL`.',
      line: 1,
      column: 15,
    });
  });

  test('reports a missing operator after a field', () => {
    assertClauseError(() => parseFilter("productName contains 'x'"), {
      code: 'FILTER_SYNTAX',
      message: 'Expected an operator (`=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`, `IN`, `LIKE`, `BETWEEN`, `IS`), '
        + 'found `contains`.',
      line: 1,
      column: 13,
    });
  });

  test('reports a missing field at the start of a condition', () => {
    assertClauseError(() => parseFilter('a = 1 and = 2'), {
      code: 'FILTER_SYNTAX', message: 'Expected <field name>, found `=`.', line: 1, column: 11,
    });
  });

  test('reports a dangling and at the end of input', () => {
    assertClauseError(() => parseFilter('a = 1 and'), {
      code: 'FILTER_SYNTAX', message: 'Expected <field name>, found <end of input>.', line: 1, column: 10,
    });
  });

  test('reports a LIKE pattern that is not a quoted string', () => {
    assertClauseError(() => parseFilter('userName LIKE 12'), {
      code: 'FILTER_SYNTAX', message: 'Expected a quoted pattern, found number `12`.', line: 1, column: 15,
    });
  });

  test('reports an empty IN list and a missing comma', () => {
    assertClauseError(() => parseFilter('a IN ()'), {
      code: 'FILTER_SYNTAX',
      message: 'Expected a value (a quoted string, a number, TRUE or FALSE), found `)`.',
      line: 1,
      column: 7,
    });
    assertClauseError(() => parseFilter("a IN ('x' 'y')"), {
      code: 'FILTER_SYNTAX', message: "Expected `,` or `)`, found string 'y'.", line: 1, column: 11,
    });
    assertClauseError(() => parseFilter("a IN 'x'"), {
      code: 'FILTER_SYNTAX', message: "Expected `(`, found string 'x'.", line: 1, column: 6,
    });
  });

  test('reports BETWEEN without AND', () => {
    assertClauseError(() => parseFilter('contractYear BETWEEN 1 OR 2'), {
      code: 'FILTER_SYNTAX', message: 'Expected `AND`, found `OR`.', line: 1, column: 24,
    });
  });

  test('reports IS followed by something other than NULL', () => {
    assertClauseError(() => parseFilter('a IS TRUE'), {
      code: 'FILTER_SYNTAX', message: 'Expected `NULL`, found `TRUE`.', line: 1, column: 6,
    });
  });

  test('reports the line and column of an error on a later line', () => {
    assertClauseError(() => parseFilter("productName = 'Maya'\n  and\n    contractYear = = 2"), {
      code: 'FILTER_SYNTAX',
      message: 'Expected a value (a quoted string, a number, TRUE or FALSE), found `=`.',
      line: 3,
      column: 20,
      snippet: '    contractYear = = 2\n                   ^',
    });
  });
});

describe('the orderBy parser', () => {
  test('treats an empty orderBy as no order', () => {
    assert.deepEqual(parseOrderBy(''), []);
    assert.deepEqual(parseOrderBy('   '), []);
  });

  test('reads names with optional directions in any case', () => {
    const items = parseOrderBy('productName DESC, fullName asc,uniqueUsers');
    assert.deepEqual(items.map((item) => [item.field.name, item.direction]), [
      ['productName', 'desc'], ['fullName', 'asc'], ['uniqueUsers', 'asc'],
    ]);
    assert.deepEqual(items[1]?.span, { start: 18, end: 30, line: 1, column: 19 });
  });

  test('reports a missing comma between items', () => {
    assertClauseError(() => parseOrderBy('productName fullName'), {
      code: 'ORDER_BY_INVALID',
      message: 'Expected `ASC`, `DESC`, `,` or <end of input>, found `fullName`.',
      line: 1,
      column: 13,
      snippet: 'productName fullName\n            ^^^^^^^^',
    });
  });

  test('reports a trailing comma', () => {
    assertClauseError(() => parseOrderBy('productName,'), {
      code: 'ORDER_BY_INVALID', message: 'Expected <field name>, found <end of input>.', line: 1, column: 13,
    });
  });

  test('reports two directions on one item', () => {
    assertClauseError(() => parseOrderBy('productName desc asc'), {
      code: 'ORDER_BY_INVALID', message: 'Expected `,` or <end of input>, found `ASC`.', line: 1, column: 18,
    });
  });

  test('reports stray characters with ORDER_BY_INVALID', () => {
    assertClauseError(() => parseOrderBy('productName; drop table users'), {
      code: 'ORDER_BY_INVALID', message: 'Unexpected `;`: statements cannot be chained.', line: 1, column: 12,
    });
  });
});
