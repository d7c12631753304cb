import type { ErrorCode, SourcePosition } from '../../errors.js';
import type { Catalog, FieldDef } from '../../catalog/index.js';
import { normaliseUsageCategory } from '../../catalog/index.js';
import type { ComparisonOperator, FieldNode, FilterNode, LiteralNode } from '../ast/index.js';
import { ComparisonNode } from '../ast/index.js';
import { createClauseError } from '../clause-error.js';
import { didYouMean, suggestName } from './suggest.js';

/** A bound parameter's value. Numbers bound for `integer` fields are always integers. */
export type ParameterValue = string | number | boolean;

/** A literal, checked against its field, on its way to becoming a bound parameter. */
export interface BoundValue {
  readonly value: ParameterValue;
  /** The SQL type the placeholder is cast to, for values that travel as text. */
  readonly cast?: 'date' | 'timestamp';
}

/** SQL comparison operators; `!=` is written `<>`, the standard spelling, in the compiled SQL. */
export type SqlComparisonOperator = Exclude<ComparisonOperator, '!='>;

/**
 * A filter after resolve: every field is a catalogue entry, every literal a checked value, and
 * literal-only comparisons are folded away. Nothing in it is text the user wrote, except bound values.
 */
export type ResolvedFilter =
  | { readonly kind: 'And'; readonly operands: readonly ResolvedFilter[] }
  | { readonly kind: 'Or'; readonly operands: readonly ResolvedFilter[] }
  | { readonly kind: 'Group'; readonly expression: ResolvedFilter }
  | { readonly kind: 'Comparison'; readonly field: FieldDef; readonly operator: SqlComparisonOperator; readonly value: BoundValue }
  | { readonly kind: 'In'; readonly field: FieldDef; readonly values: readonly BoundValue[] }
  | { readonly kind: 'Like'; readonly field: FieldDef; readonly pattern: string }
  | { readonly kind: 'Between'; readonly field: FieldDef; readonly low: BoundValue; readonly high: BoundValue }
  | { readonly kind: 'IsNull'; readonly field: FieldDef }
  | { readonly kind: 'Constant'; readonly value: boolean };

/** Minimum number of characters other than `%` and `_` in a LIKE pattern (spec §5). */
const MIN_LIKE_LITERALS = 3;
/** Types on which only equality (`=`, `!=`, `IN`, `IS NULL`) makes sense. */
const EQUALITY_ONLY: ReadonlySet<FieldDef['type']> = new Set(['enum', 'boolean']);

/**
 * Checks a parsed `where` clause against a catalogue and maps it to catalogue entries and bound
 * values. Returns undefined when the clause filters nothing (empty, or always true like `1=1`).
 * `source` is the clause text, for error positions and snippets. `pseudonyms` maps hashes of
 * personal values to the values (see UsageQuerySpec): a personal field's string literal found there
 * is bound as the value it stands for.
 */
export function resolveFilter(
  node: FilterNode | undefined, catalog: Catalog, source: string, pseudonyms?: Readonly<Record<string, string>>,
): ResolvedFilter | undefined {
  if (node === undefined) return undefined;
  const resolved = new Resolver(catalog, source, pseudonyms).resolve(node);
  return resolved.kind === 'Constant' && resolved.value ? undefined : resolved;
}

class Resolver {
  readonly #catalog: Catalog;
  readonly #source: string;
  readonly #pseudonyms: Readonly<Record<string, string>> | undefined;

  constructor(catalog: Catalog, source: string, pseudonyms: Readonly<Record<string, string>> | undefined) {
    this.#catalog = catalog;
    this.#source = source;
    this.#pseudonyms = pseudonyms;
  }

  resolve(node: FilterNode): ResolvedFilter {
    switch (node.kind) {
      case 'And': return foldAnd(node.operands.map((operand) => this.resolve(operand)));
      case 'Or': return foldOr(node.operands.map((operand) => this.resolve(operand)));
      case 'Group': {
        const expression = this.resolve(node.expression);
        return freeze(expression.kind === 'Constant' ? expression : { kind: 'Group', expression });
      }
      case 'Comparison': {
        if (!ComparisonNode.hasField(node)) return this.#evaluateConstant(node.left as LiteralNode, node.operator, node.right);
        const field = this.#field(node.left);
        if (EQUALITY_ONLY.has(field.type) && !['=', '!=', '<>'].includes(node.operator)) {
          throw this.#error(
            'FILTER_TYPE_MISMATCH',
            `\`${node.operator}\` cannot compare the ${field.type} field \`${field.name}\`; use \`=\`, \`!=\` or \`IN\`.`,
            node.span,
          );
        }
        const operator = node.operator === '!=' ? '<>' : node.operator;
        return freeze({ kind: 'Comparison', field, operator, value: this.#bind(field, node.right) });
      }
      case 'In': {
        const field = this.#field(node.field);
        return freeze({ kind: 'In', field, values: Object.freeze(node.values.map((value) => this.#bind(field, value))) });
      }
      case 'Like': {
        const field = this.#field(node.field);
        if (field.type === 'enum') {
          throw this.#error(
            'FILTER_LIKE_NOT_ALLOWED',
            `LIKE cannot be used on the enumerated field \`${field.name}\`; use \`=\` or \`IN\` with its values (${listValues(field)}).`,
            node.span,
          );
        }
        if (field.type !== 'string') {
          throw this.#error(
            'FILTER_TYPE_MISMATCH',
            `LIKE needs a text field, but \`${field.name}\` is ${article(field.type)}; compare it with \`=\`, \`<\`, \`>\` or BETWEEN.`,
            node.span,
          );
        }
        const pattern = node.pattern.value;
        if (pattern.replace(/[%_]/g, '').length < MIN_LIKE_LITERALS) {
          throw this.#error(
            'FILTER_LIKE_PATTERN_TOO_SHORT',
            `A LIKE pattern needs at least ${MIN_LIKE_LITERALS} characters besides \`%\` and \`_\`, e.g. 'bob%'.`,
            node.pattern.span,
          );
        }
        return freeze({ kind: 'Like', field, pattern });
      }
      case 'Between': {
        const field = this.#field(node.field);
        if (EQUALITY_ONLY.has(field.type)) {
          throw this.#error(
            'FILTER_TYPE_MISMATCH',
            `BETWEEN cannot be used on the ${field.type} field \`${field.name}\`; use \`=\`, \`!=\` or \`IN\`.`,
            node.span,
          );
        }
        return freeze({ kind: 'Between', field, low: this.#bind(field, node.low), high: this.#bind(field, node.high) });
      }
      case 'IsNull':
        return freeze({ kind: 'IsNull', field: this.#field(node.field) });
      default:
        return node satisfies never;
    }
  }

  /** The catalogue entry of a field named in the clause: known and filterable, or an error at its name. */
  #field(node: FieldNode): FieldDef {
    const field = this.#catalog.fields.get(node.name);
    if (field === undefined) {
      if (this.#catalog.metrics.has(node.name)) {
        throw this.#error(
          'FILTER_UNKNOWN_FIELD',
          `\`${node.name}\` is a metric; a where clause can only test fields.`,
          node.span,
        );
      }
      const suggestion = suggestName(node.name, filterableNames(this.#catalog));
      throw this.#error('FILTER_UNKNOWN_FIELD', `Unknown field \`${node.name}\`${didYouMean(suggestion)}`, node.span);
    }
    if (!field.filterable) {
      const reason = field.sessionLevel ? ' (session-level data)' : field.personal ? ' (personal data)' : '';
      throw this.#error(
        'FILTER_FIELD_NOT_FILTERABLE',
        `The field \`${field.name}\`${reason} can be selected but not used in a where clause.`,
        node.span,
      );
    }
    return field;
  }

  /** The literal as a value of the field's type, or FILTER_TYPE_MISMATCH at the literal. */
  #bind(field: FieldDef, literal: LiteralNode): BoundValue {
    const mismatch = (expected: string) => this.#error(
      'FILTER_TYPE_MISMATCH',
      `\`${field.name}\` is ${article(field.type)} field and takes ${expected}, not ${describeLiteral(literal)}.`,
      literal.span,
    );
    switch (field.type) {
      case 'string':
        if (literal.type !== 'string') throw mismatch(`a quoted string, e.g. '${literal.value}'`);
        if (field.personal && this.#pseudonyms && Object.hasOwn(this.#pseudonyms, literal.value)) return freeze({ value: this.#pseudonyms[literal.value]! });
        return freeze({ value: literal.value });
      case 'enum': {
        if (literal.type !== 'string') throw mismatch(`one of ${listValues(field)} in quotes`);
        const value = this.#enumValue(field, literal.value);
        if (value === undefined) {
          throw this.#error(
            'FILTER_TYPE_MISMATCH',
            `'${literal.value}' is not a value of \`${field.name}\`${didYouMean(suggestName(literal.value, field.enumValues ?? []), "'")
            } (expected one of ${listValues(field)}).`,
            literal.span,
          );
        }
        return freeze({ value });
      }
      case 'integer':
        if (literal.type !== 'number' || !Number.isSafeInteger(literal.value)) throw mismatch('a whole number, e.g. 2');
        return freeze({ value: literal.value });
      case 'number':
        if (literal.type !== 'number') throw mismatch('a number, e.g. 2.5');
        return freeze({ value: literal.value });
      case 'boolean':
        if (literal.type !== 'boolean') throw mismatch('TRUE or FALSE');
        return freeze({ value: literal.value });
      case 'date':
        if (literal.type !== 'string' || !isIsoDate(literal.value)) throw mismatch("a date in quotes, e.g. '2024-01-31'");
        return freeze({ value: literal.value, cast: 'date' });
      case 'datetime': {
        const value = literal.type === 'string' ? normaliseDateTime(literal.value) : undefined;
        if (value === undefined) throw mismatch("a date or an ISO date-time in quotes, e.g. '2024-01-31T08:00:00Z'");
        return freeze({ value, cast: 'timestamp' });
      }
      default:
        return field.type satisfies never;
    }
  }

  /** Enum values match exactly; `usageCategory` also takes the legacy Token Flex names (spec §4.1). */
  #enumValue(field: FieldDef, text: string): string | undefined {
    if (field.name === 'usageCategory') return normaliseUsageCategory(text);
    return field.enumValues?.includes(text) ? text : undefined;
  }

  /** `1=1`, `'a'='b'`: both sides are known now, so the comparison is a constant (spec §5). */
  #evaluateConstant(left: LiteralNode, operator: ComparisonOperator, right: LiteralNode): ResolvedFilter {
    if (left.type !== right.type) {
      throw this.#error(
        'FILTER_TYPE_MISMATCH',
        `Cannot compare ${describeLiteral(left)} with ${describeLiteral(right)}.`,
        { start: left.span.start, end: right.span.end, line: left.span.line, column: left.span.column },
      );
    }
    const order = left.value < right.value ? -1 : left.value > right.value ? 1 : 0;
    const results: Record<ComparisonOperator, boolean> = {
      '=': order === 0, '!=': order !== 0, '<>': order !== 0,
      '<': order < 0, '<=': order <= 0, '>': order > 0, '>=': order >= 0,
    };
    return freeze({ kind: 'Constant', value: results[operator] });
  }

  #error(code: ErrorCode, message: string, span: SourcePosition) {
    return createClauseError(code, message, this.#source, span);
  }
}

/** `x and true` is `x`; `x and false` is false. Every operand has been checked before folding. */
function foldAnd(operands: readonly ResolvedFilter[]): ResolvedFilter {
  if (operands.some((operand) => operand.kind === 'Constant' && !operand.value)) return freeze({ kind: 'Constant', value: false });
  const rest = operands.filter((operand) => operand.kind !== 'Constant');
  if (rest.length === 0) return freeze({ kind: 'Constant', value: true });
  return rest.length === 1 ? rest[0]! : freeze({ kind: 'And', operands: Object.freeze(rest) });
}

/** `x or false` is `x`; `x or true` is true. */
function foldOr(operands: readonly ResolvedFilter[]): ResolvedFilter {
  if (operands.some((operand) => operand.kind === 'Constant' && operand.value)) return freeze({ kind: 'Constant', value: true });
  const rest = operands.filter((operand) => operand.kind !== 'Constant');
  if (rest.length === 0) return freeze({ kind: 'Constant', value: false });
  return rest.length === 1 ? rest[0]! : freeze({ kind: 'Or', operands: Object.freeze(rest) });
}

function freeze<T extends object>(value: T): T {
  return Object.freeze(value);
}

function filterableNames(catalog: Catalog): string[] {
  return [...catalog.fields.values()].filter((field) => field.filterable).map((field) => field.name);
}

function listValues(field: FieldDef): string {
  return (field.enumValues ?? []).join(', ');
}

function article(type: FieldDef['type']): string {
  return type === 'enum' || type === 'integer' ? `an ${type}` : `a ${type}`;
}

function describeLiteral(literal: LiteralNode): string {
  switch (literal.type) {
    case 'string': return 'a string';
    case 'number': return `the number ${literal.text}`;
    case 'boolean': return literal.value ? 'TRUE' : 'FALSE';
    default: return literal satisfies never;
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function isRealDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

/** A real calendar date written `YYYY-MM-DD`. */
function isIsoDate(text: string): boolean {
  const match = DATE.exec(text);
  return match !== null && isRealDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/**
 * An ISO date or date-time as UTC `YYYY-MM-DD HH:MM:SS[.ffffff]`, or undefined if it is not a real
 * one. Timestamp columns hold UTC without a zone, and Postgres silently drops an offset when it
 * casts text to `timestamp` (postgresql.org/docs/current/datatype-datetime.html#DATATYPE-TIMEZONES),
 * so the offset is applied here rather than left to the database.
 */
function normaliseDateTime(text: string): string | undefined {
  const match = DATE_TIME.exec(text);
  if (match === null) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (!isRealDate(year, month, day) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2));
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
  }
  const instant = new Date(0);
  instant.setUTCFullYear(year, month - 1, day);
  instant.setUTCHours(Number(h), Number(mi) - offsetMinutes, Number(s), 0);
  const utcYear = instant.getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999) return undefined;
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(utcYear, 4)}-${pad(instant.getUTCMonth() + 1)}-${pad(instant.getUTCDate())} `
    + `${pad(instant.getUTCHours())}:${pad(instant.getUTCMinutes())}:${pad(instant.getUTCSeconds())}${fraction}`;
}
