export { Lexer, tokenize } from './lexer.js';
export type { Token } from './token.js';
export { describeToken, spanBetween, spanOf } from './token.js';
export { COMPARISON_OPERATORS, KEYWORDS, TokenKind } from './token-kind.js';
