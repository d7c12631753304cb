import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Catalog, Dialect } from '../catalog/index.js';
import { insightsCatalog, tokenflexCatalog } from '../catalog/index.js';
import { AppError } from '../errors.js';
import type { FilterNode } from './index.js';
import { compileUsageQuery, parseFilter, planUsageQuery } from './index.js';
import { rounds } from '../../test/helpers/rounds.js';

// 100,000 clauses in all, split over three properties; each clause goes through parse, resolve and
// compile for both catalogues and both dialects. About 10 s on a 2-core machine.
const RUNS = { grammar: rounds(30_000), mutated: rounds(40_000), random: rounds(30_000) } as const;

/** Marks generated string literals: catalogue SQL is ASCII, so this can only reach SQL by a leak. */
const MARK = '⟪';

const CATALOGS: readonly { readonly catalog: Catalog; readonly fields: readonly string[]; readonly metrics: readonly string[] }[] = [
  { catalog: tokenflexCatalog, fields: ['productName'], metrics: ['tokensConsumed'] },
  { catalog: insightsCatalog, fields: ['productName'], metrics: ['uniqueUsers'] },
];
const DIALECTS: readonly Dialect[] = ['duckdb', 'postgres'];

// ---- generators -------------------------------------------------------------------------------

const fieldNames = [...new Set([
  ...tokenflexCatalog.fields.keys(), ...insightsCatalog.fields.keys(), ...tokenflexCatalog.metrics.keys(),
  'prodctName', 'CONTRACTYEAR', 'banana', 'r', 'select', 'usage_records',
])];

const keyword = (word: string) => fc.constantFrom(word.toLowerCase(), word.toUpperCase(), word[0]!.toUpperCase() + word.slice(1).toLowerCase());
const nastyUnits = [
  "'", "''", ';', '--', '/*', '*/', '"', '`', '\\', '%', '_', '$1', '?', ' UNION SELECT * FROM users ', ' or 1=1 ',
  '\u0000', '\n', '\t', '\u202e', '\u00a0', '\\u0027', 'é', '漢', '😀', 'a', 'b', 'x', 'AutoCAD', ' ', '(', ')',
];
const markedString = fc.string({ unit: fc.constantFrom(...nastyUnits), maxLength: 8 }).map((text) => `${MARK}${text}`);
const stringValue = fc.oneof(
  fc.constantFrom(
    'AutoCAD', 'Maya', 'admin%', 'adm%', 'b%', '%_%', 'DESKTOP_PRODUCT', 'PRODUCT_CONSUMPTION', 'CY', 'MY', 'flex',
    'Normal', 'CHARGED', 'N/A', '2024-01-31', '2024-02-30', '2024-01-31T08:00:00Z', '',
  ),
  markedString,
);
const stringLiteral = stringValue.map((value) => `'${value.replaceAll("'", "''")}'`);
const numberLiteral = fc.oneof(
  fc.integer({ min: -5, max: 3000 }).map(String),
  fc.tuple(fc.integer({ min: -99, max: 99 }), fc.integer({ min: 0, max: 999 })).map(([a, b]) => `${a}.${b}`),
  fc.constant('12345678901234567890123'),
);
const literal = fc.oneof({ weight: 3, arbitrary: stringLiteral }, { weight: 2, arbitrary: numberLiteral }, { weight: 1, arbitrary: fc.oneof(keyword('true'), keyword('false')) });
const field = fc.constantFrom(...fieldNames);
const operator = fc.constantFrom('=', '!=', '<>', '<', '<=', '>', '>=');

const predicate: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(field, operator, literal).map((parts) => parts.join(' ')) },
  { weight: 2, arbitrary: fc.tuple(field, keyword('in'), fc.array(literal, { minLength: 1, maxLength: 4 })).map(([f, k, values]) => `${f} ${k} (${values.join(', ')})`) },
  { weight: 2, arbitrary: fc.tuple(field, keyword('like'), stringLiteral).map((parts) => parts.join(' ')) },
  { weight: 1, arbitrary: fc.tuple(field, keyword('between'), literal, keyword('and'), literal).map((parts) => parts.join(' ')) },
  { weight: 1, arbitrary: fc.tuple(field, keyword('is'), keyword('null')).map((parts) => parts.join(' ')) },
  { weight: 1, arbitrary: fc.tuple(literal, operator, literal).map((parts) => parts.join(' ')) },
);

const { clause } = fc.letrec<{ clause: string; group: string }>((tie) => ({
  clause: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: predicate },
    { weight: 2, arbitrary: fc.tuple(tie('clause'), fc.oneof(keyword('and'), keyword('or')), tie('clause')).map((parts) => parts.join(' ')) },
    { weight: 1, arbitrary: tie('group') },
  ),
  group: tie('clause').map((inner) => `(${inner})`),
}));

/** Whitespace between tokens varies, including new lines, to exercise line and column counting. */
const spaced = fc.tuple(clause, fc.constantFrom(' ', '\n', '  ', '\t', '\r\n ')).map(([text, space]) => text.replaceAll(' ', space));

const mutationText = fc.oneof(
  fc.constantFrom(
    "'", ';', '--', '/*', '"', '`', '(', ')', ',', '=', '==', '!', '&&', '-', '.', ' not ', ' NOT ', ' UNION ', ' and ', ' or ',
    ' in ', ' like ', ' between ', ' is null', '\u0000', '\\u0041', '😀', ' 1=1 ', " 'x' ",
  ),
  fc.string({ maxLength: 3 }),
);
const mutation = fc.record({
  kind: fc.constantFrom('insert', 'delete', 'replace'),
  at: fc.nat(),
  length: fc.integer({ min: 1, max: 6 }),
  text: mutationText,
});
const mutated = fc.tuple(spaced, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([text, mutations]) => {
  let result = text;
  for (const { kind, at, length, text: piece } of mutations) {
    const position = at % (result.length + 1);
    if (kind === 'insert') result = result.slice(0, position) + piece + result.slice(position);
    else if (kind === 'delete') result = result.slice(0, position) + result.slice(position + length);
    else result = result.slice(0, position) + piece + result.slice(position + length);
  }
  return result;
});

const randomClause = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: fc.constantFrom(...nastyUnits, ' ', '=', 'productName', 'contractYear', 'AND', 'NOT', '1', ','), maxLength: 12 }),
  fc.array(fc.constantFrom(
    'productName', 'contractYear', 'userName', '=', 'in', '(', ')', "'a'", "'Maya'", '2', 'and', 'or', 'not', 'like', "'adm%'",
    'between', 'is', 'null', 'UNION', 'SELECT', ';', '--', ',', 'true', "'", '"x"',
  ), { maxLength: 10 }).map((tokens) => tokens.join(' ')),
);

// ---- checks -------------------------------------------------------------------------------------

/** Words the compiler itself writes; everything else in the SQL must come from the catalogue. */
const SKELETON_WORDS = new Set([
  'select', 'as', 'from', 'usage_records', 'r', 'join', 'users', 'u', 'on', 'u.id', 'r.user_id', 'teams', 't', 't.id',
  'r.team_id', 'where', 'r.contract_number', 'r.usage_category', 'and', 'or', 'in', 'like', 'escape', 'between', 'is',
  'null', 'cast', 'date', 'timestamp', 'group', 'by', 'order', 'asc', 'desc', 'nulls', 'last', 'true', 'false',
]);
const SKELETON_TOKEN = /\s+|\$\d+|\d+|''|"([A-Za-z0-9]+)"|<=|>=|<>|[(),=<>]|[a-z_]+(?:\.[a-z_]+)?/y;

function catalogueExpressions(catalog: Catalog, dialect: Dialect): string[] {
  const expressions = new Set<string>();
  for (const field of catalog.fields.values()) {
    expressions.add(field.sql[dialect]);
    expressions.add(field.filterSql[dialect]);
  }
  for (const metric of catalog.metrics.values()) expressions.add(metric.sql[dialect]);
  return [...expressions].sort((a, b) => b.length - a.length);
}

/** Asserts the SQL is made only of catalogue expressions, catalogue aliases and the compiler's own words. */
function assertOnlyTrustedSql(sql: string, catalog: Catalog, dialect: Dialect): void {
  let rest = sql;
  for (const expression of catalogueExpressions(catalog, dialect)) rest = rest.replaceAll(expression, ' ');
  SKELETON_TOKEN.lastIndex = 0;
  while (SKELETON_TOKEN.lastIndex < rest.length) {
    const at = SKELETON_TOKEN.lastIndex;
    const match = SKELETON_TOKEN.exec(rest);
    assert.ok(match, `untrusted text in SQL at ${at}: ${JSON.stringify(rest.slice(at, at + 30))} of ${sql}`);
    const word = match[0];
    if (match[1] !== undefined) {
      assert.ok(catalog.fields.has(match[1]) || catalog.metrics.has(match[1]), `alias ${word} is not a catalogue name`);
    } else if (/^[a-z]/.test(word)) {
      assert.ok(SKELETON_WORDS.has(word), `unexpected word ${word} in ${sql}`);
    }
  }
}

/**
 * The string literals compared with a field, which must all be parameters; undefined when the clause
 * has a literal-only comparison, because folding it (`x or 1=1` is no filter at all) promises nothing.
 */
function boundStrings(node: FilterNode | undefined): string[] | undefined {
  if (node === undefined) return [];
  const all = (nodes: readonly FilterNode[]) => {
    const parts = nodes.map(boundStrings);
    return parts.includes(undefined) ? undefined : parts.flatMap((part) => part ?? []);
  };
  switch (node.kind) {
    case 'And':
    case 'Or': return all(node.operands);
    case 'Group': return boundStrings(node.expression);
    case 'Comparison':
      if (node.left.kind !== 'Field') return undefined;
      return node.right.type === 'string' ? [node.right.value] : [];
    case 'In': return node.values.flatMap((value) => (value.type === 'string' ? [value.value] : []));
    case 'Like': return [node.pattern.value];
    case 'Between': return [node.low, node.high].flatMap((value) => (value.type === 'string' ? [value.value] : []));
    case 'IsNull': return [];
    default: return node satisfies never;
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lastNewline = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastNewline };
}

/** Runs one clause through the whole pipeline; only FILTER_* AppErrors with a sound position may escape. */
function checkClause(where: string): void {
  for (const { catalog, fields, metrics } of CATALOGS) {
    let plan;
    try {
      plan = planUsageQuery({ fields, metrics, where, scope: { kind: 'contract', contractNumber: 'C-1' }, purpose: 'query' }, catalog);
    } catch (error) {
      if (!AppError.is(error) || !error.code.startsWith('FILTER_')) throw error;
      const position = error.position;
      assert.ok(position, `${error.code} without a position`);
      assert.ok(position.start >= 0 && position.start <= position.end && position.end <= where.length,
        `position ${JSON.stringify(position)} outside a clause of length ${where.length}`);
      assert.deepEqual({ line: position.line, column: position.column }, lineAndColumn(where, position.start));
      assert.equal(typeof error.snippet, 'string');
      continue;
    }
    const strings = (boundStrings(parseFilter(where)) ?? []).filter((value) => value.includes(MARK));
    for (const dialect of DIALECTS) {
      const compiled = compileUsageQuery(plan, dialect);
      assert.ok(!compiled.sql.includes(MARK), `a literal leaked into SQL: ${compiled.sql}`);
      assertOnlyTrustedSql(compiled.sql, catalog, dialect);
      for (const value of strings) assert.ok(compiled.parameters.includes(value), `${JSON.stringify(value)} is not a parameter`);
      for (const parameter of compiled.parameters) {
        assert.ok(typeof parameter === 'string' || typeof parameter === 'boolean' || Number.isFinite(parameter));
      }
      const placeholders = compiled.sql.match(/\$\d+/g) ?? [];
      assert.deepEqual(placeholders, compiled.parameters.map((_, index) => `$${index + 1}`));
    }
  }
}

/** An orderBy clause fails only with ORDER_BY_INVALID, positioned inside the clause. */
function checkOrderBy(orderBy: string): void {
  try {
    planUsageQuery({
      fields: ['productName'], metrics: ['uniqueUsers'], orderBy, scope: { kind: 'teams', teamIds: ['1'] }, purpose: 'query',
    }, insightsCatalog);
  } catch (error) {
    if (!AppError.is(error) || error.code !== 'ORDER_BY_INVALID') throw error;
    const position = error.position;
    assert.ok(position && position.start >= 0 && position.start <= position.end && position.end <= orderBy.length);
  }
}

describe('the where pipeline under fuzzing', () => {
  test('accepts or cleanly rejects clauses generated from the grammar, never leaking a literal into SQL', () => {
    fc.assert(fc.property(spaced, checkClause), { numRuns: RUNS.grammar });
  });

  test('rejects mutated clauses only with FILTER errors positioned inside the clause', () => {
    fc.assert(fc.property(mutated, checkClause), { numRuns: RUNS.mutated });
  });

  test('rejects random strings only with FILTER or ORDER_BY errors positioned inside the text', () => {
    fc.assert(fc.property(randomClause, (text) => {
      checkClause(text);
      checkOrderBy(text);
    }), { numRuns: RUNS.random });
  });
});
