/**
 * Token kinds, spelled the way a user reads them, so an "Expected X, found Y." message is just the
 * kind's value. Keywords are upper-case here; the lexer matches them case-insensitively.
 */
export const TokenKind = {
  Identifier: '<field name>',
  String: '<string>',
  Number: '<number>',
  Equals: '=',
  NotEquals: '!=',
  LessGreater: '<>',
  Less: '<',
  LessEquals: '<=',
  Greater: '>',
  GreaterEquals: '>=',
  OpenParen: '(',
  CloseParen: ')',
  Comma: ',',
  And: 'AND',
  Or: 'OR',
  In: 'IN',
  Like: 'LIKE',
  Between: 'BETWEEN',
  Is: 'IS',
  Null: 'NULL',
  True: 'TRUE',
  False: 'FALSE',
  Not: 'NOT',
  Asc: 'ASC',
  Desc: 'DESC',
  EndOfInput: '<end of input>',
} as const;

export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

/** Keywords by their upper-case spelling; anything else that looks like a word is an identifier. */
export const KEYWORDS: ReadonlyMap<string, TokenKind> = new Map<string, TokenKind>([
  ['AND', TokenKind.And],
  ['OR', TokenKind.Or],
  ['IN', TokenKind.In],
  ['LIKE', TokenKind.Like],
  ['BETWEEN', TokenKind.Between],
  ['IS', TokenKind.Is],
  ['NULL', TokenKind.Null],
  ['TRUE', TokenKind.True],
  ['FALSE', TokenKind.False],
  ['NOT', TokenKind.Not],
  ['ASC', TokenKind.Asc],
  ['DESC', TokenKind.Desc],
]);

/** The comparison operators of `op` in the grammar. */
export const COMPARISON_OPERATORS: readonly TokenKind[] = [
  TokenKind.Equals, TokenKind.NotEquals, TokenKind.LessGreater, TokenKind.Less,
  TokenKind.LessEquals, TokenKind.Greater, TokenKind.GreaterEquals,
];
