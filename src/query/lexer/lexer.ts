import type { ErrorCode, SourcePosition } from '../../errors.js';
import { createClauseError } from '../clause-error.js';
import type { Token } from './token.js';
import { KEYWORDS, TokenKind } from './token-kind.js';

/**
 * Characters that are not part of the language but that users (or attackers) commonly type, with
 * the fix we can guess.
 */
const STRAY_HINTS: readonly (readonly [string, string])[] = [
  ['==', 'Unexpected `==`; did you mean `=`?'],
  ['=>', 'Unexpected `=>`; did you mean `>=`?'],
  ['=<', 'Unexpected `=<`; did you mean `<=`?'],
  ['&&', 'Unexpected `&&`; did you mean `and`?'],
  ['||', 'Unexpected `||`; did you mean `or`?'],
  ['--', 'Unexpected `--`: comments are not allowed.'],
  ['/*', 'Unexpected `/*`: comments are not allowed.'],
  ['&', 'Unexpected `&`; did you mean `and`?'],
  ['|', 'Unexpected `|`; did you mean `or`?'],
  ['!', 'Unexpected `!`; did you mean `!=`? (the keyword `not` is not supported)'],
  [';', 'Unexpected `;`: statements cannot be chained.'],
  ['"', 'Unexpected `"`: strings are written in single quotes, e.g. \'AutoCAD\'.'],
  ['`', 'Unexpected `` ` ``: field names are written without quotes.'],
  ['[', 'Unexpected `[`: field names are written without quotes or brackets.'],
  ['-', 'Unexpected `-`: only a number may start with a minus sign; arithmetic is not supported.'],
  ['.', 'Unexpected `.`: a number needs a digit before its decimal point, e.g. 0.5.'],
];

const OPERATORS: readonly (readonly [string, TokenKind])[] = [
  ['!=', TokenKind.NotEquals],
  ['<>', TokenKind.LessGreater],
  ['<=', TokenKind.LessEquals],
  ['>=', TokenKind.GreaterEquals],
  ['=', TokenKind.Equals],
  ['<', TokenKind.Less],
  ['>', TokenKind.Greater],
  ['(', TokenKind.OpenParen],
  [')', TokenKind.CloseParen],
  [',', TokenKind.Comma],
];

/** Operators and stray symbols, longest spelling first: `==` must win over `=`, `!=` over `!`. */
const SYMBOLS: readonly { readonly text: string; readonly kind: TokenKind; readonly message?: string }[] = [
  ...STRAY_HINTS.map(([text, message]) => ({ text, kind: TokenKind.EndOfInput, message })),
  ...OPERATORS.map(([text, kind]) => ({ text, kind })),
].sort((a, b) => b.text.length - a.text.length);

const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';
const isIdentifierStart = (ch: string | undefined): boolean =>
  ch !== undefined && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_');
const isIdentifierPart = (ch: string | undefined): boolean => isIdentifierStart(ch) || isDigit(ch);
/** Only ASCII white space: anything else (a no-break space, a zero-width joiner) is a stray character. */
const isWhitespace = (ch: string | undefined): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';

/**
 * Splits a clause into tokens that know where they are. The clause is read completely before the
 * parser starts, so a stray character anywhere is reported before any grammar error.
 */
export class Lexer {
  readonly #source: string;
  readonly #errorCode: ErrorCode;
  #offset = 0;
  #line = 1;
  #lineStart = 0;

  /** `errorCode` is the code of lexical errors: FILTER_SYNTAX for `where`, ORDER_BY_INVALID for `orderBy`. */
  constructor(source: string, errorCode: ErrorCode = 'FILTER_SYNTAX') {
    this.#source = source;
    this.#errorCode = errorCode;
  }

  /** Every token of the clause; the last one is always `<end of input>`. */
  tokenize(): readonly Token[] {
    this.#offset = 0;
    this.#line = 1;
    this.#lineStart = 0;
    const tokens: Token[] = [];
    for (;;) {
      const token = this.#nextToken();
      tokens.push(token);
      if (token.kind === TokenKind.EndOfInput) return Object.freeze(tokens);
    }
  }

  #nextToken(): Token {
    this.#skipWhitespace();
    const source = this.#source;
    const start = this.#offset;
    const ch = source[start];
    if (ch === undefined) return this.#token(TokenKind.EndOfInput, '', start);
    if (ch === "'") return this.#readString();
    if (isDigit(ch) || (ch === '-' && isDigit(source[start + 1]))) return this.#readNumber();
    if (isIdentifierStart(ch)) return this.#readWord();
    for (const entry of SYMBOLS) {
      if (!source.startsWith(entry.text, start)) continue;
      if (entry.message !== undefined) throw this.#error(entry.message, start, start + entry.text.length);
      this.#offset += entry.text.length;
      return this.#token(entry.kind, entry.text, start);
    }
    const codePoint = source.codePointAt(start) ?? 0;
    const width = codePoint > 0xffff ? 2 : 1;
    const shown = codePoint < 0x20 || codePoint === 0x7f || (codePoint >= 0x80 && codePoint <= 0xa0)
      ? `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`
      : `\`${String.fromCodePoint(codePoint)}\``;
    throw this.#error(`Unexpected character ${shown}.`, start, start + width);
  }

  #skipWhitespace(): void {
    const source = this.#source;
    while (isWhitespace(source[this.#offset])) {
      if (source[this.#offset] === '\n') {
        this.#line += 1;
        this.#lineStart = this.#offset + 1;
      }
      this.#offset += 1;
    }
  }

  /** string := "'" ( any char, '' for a quote )* "'" */
  #readString(): Token {
    const source = this.#source;
    const start = this.#offset;
    const line = this.#line;
    const column = start - this.#lineStart + 1;
    let value = '';
    let offset = start + 1;
    for (;;) {
      const next = source.indexOf("'", offset);
      if (next === -1) {
        throw createClauseError(
          this.#errorCode,
          'Unterminated string: add a closing `\'` (write a quote inside a string as `\'\'`).',
          source,
          { start, end: source.length, line, column },
        );
      }
      value += source.slice(offset, next);
      if (source[next + 1] === "'") {
        value += "'";
        offset = next + 2;
        continue;
      }
      offset = next + 1;
      break;
    }
    // A string may span lines; keep line and column counting right for the tokens after it.
    for (let i = start; i < offset; i++) {
      if (source[i] === '\n') {
        this.#line += 1;
        this.#lineStart = i + 1;
      }
    }
    this.#offset = offset;
    return Object.freeze({ kind: TokenKind.String, value, start, end: offset, line, column });
  }

  /** number := '-'? digit+ ( '.' digit+ )? */
  #readNumber(): Token {
    const source = this.#source;
    const start = this.#offset;
    let offset = start;
    if (source[offset] === '-') offset += 1;
    while (isDigit(source[offset])) offset += 1;
    if (source[offset] === '.') {
      offset += 1;
      if (!isDigit(source[offset])) {
        throw this.#error('Invalid number: expected a digit after the decimal point.', start, offset);
      }
      while (isDigit(source[offset])) offset += 1;
    }
    if (isIdentifierPart(source[offset]) || source[offset] === '.') {
      let end = offset;
      while (isIdentifierPart(source[end]) || source[end] === '.') end += 1;
      throw this.#error(
        `Invalid number \`${source.slice(start, end)}\`: numbers are written like 2, -1 or 0.5.`, start, end,
      );
    }
    const text = source.slice(start, offset);
    if (!Number.isFinite(Number(text))) throw this.#error('Number out of range.', start, offset);
    this.#offset = offset;
    return this.#token(TokenKind.Number, text, start);
  }

  /** An identifier, or a keyword when its upper-case spelling is one. */
  #readWord(): Token {
    const source = this.#source;
    const start = this.#offset;
    let offset = start;
    while (isIdentifierPart(source[offset])) offset += 1;
    this.#offset = offset;
    const text = source.slice(start, offset);
    return this.#token(KEYWORDS.get(text.toUpperCase()) ?? TokenKind.Identifier, text, start);
  }

  #token(kind: TokenKind, value: string, start: number): Token {
    return Object.freeze({
      kind, value, start, end: this.#offset, line: this.#line, column: start - this.#lineStart + 1,
    });
  }

  #error(message: string, start: number, end: number) {
    const position: SourcePosition = { start, end, line: this.#line, column: start - this.#lineStart + 1 };
    return createClauseError(this.#errorCode, message, this.#source, position);
  }
}

/** The tokens of a clause (see `Lexer`). */
export function tokenize(source: string, errorCode: ErrorCode = 'FILTER_SYNTAX'): readonly Token[] {
  return new Lexer(source, errorCode).tokenize();
}
