import type { SourcePosition } from '../../errors.js';
import type { TokenKind } from './token-kind.js';

/**
 * One token and where it is. `value` is the unescaped content of a string, the text of a number or
 * identifier, and the source text of anything else.
 */
export interface Token extends SourcePosition {
  readonly kind: TokenKind;
  readonly value: string;
}

/** The span of a token, without its kind and value. */
export function spanOf(token: SourcePosition): SourcePosition {
  return Object.freeze({ start: token.start, end: token.end, line: token.line, column: token.column });
}

/** The span from the start of `first` to the end of `last`. */
export function spanBetween(first: SourcePosition, last: SourcePosition): SourcePosition {
  return Object.freeze({ start: first.start, end: last.end, line: first.line, column: first.column });
}

/** How a token is named in a message: keywords and punctuation by their kind, values by their text. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case '<end of input>':
      return token.kind;
    case '<string>':
      return `string '${abbreviate(token.value.replaceAll("'", "''"))}'`;
    case '<number>':
      return `number \`${abbreviate(token.value)}\``;
    case '<field name>':
      return `\`${abbreviate(token.value)}\``;
    default:
      return `\`${token.kind}\``;
  }
}

function abbreviate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
