import type { ErrorCode, SourcePosition } from '../../errors.js';
import type { ComparisonOperator, FilterNode } from '../ast/index.js';
import {
  AndNode, BetweenNode, ComparisonNode, FieldNode, GroupNode, InNode, IsNullNode, LikeNode, LiteralNode,
  OrderByItemNode, OrNode,
} from '../ast/index.js';
import { createClauseError } from '../clause-error.js';
import type { Token } from '../lexer/index.js';
import { COMPARISON_OPERATORS, describeToken, spanBetween, spanOf, tokenize, TokenKind } from '../lexer/index.js';

const LITERAL_KINDS: readonly TokenKind[] = [TokenKind.String, TokenKind.Number, TokenKind.True, TokenKind.False];
const PREDICATE_OPERATORS: readonly TokenKind[] = [
  ...COMPARISON_OPERATORS, TokenKind.In, TokenKind.Like, TokenKind.Between, TokenKind.Is,
];

/** The operator that says the opposite, for the message that replaces `not a = 1` by `a != 1`. */
const NEGATED_OPERATORS: ReadonlyMap<TokenKind, string> = new Map<TokenKind, string>([
  [TokenKind.Equals, '!='], [TokenKind.NotEquals, '='], [TokenKind.LessGreater, '='], [TokenKind.Less, '>='],
  [TokenKind.LessEquals, '>'], [TokenKind.Greater, '<='], [TokenKind.GreaterEquals, '<'],
]);

/**
 * Recursive-descent parser of the `where` language (spec §5) and of `orderBy`, one method per grammar
 * rule. Precedence is one method per level: `or_expr` < `and_expr` < `primary`.
 */
export class Parser {
  readonly #source: string;
  readonly #errorCode: ErrorCode;
  readonly #tokens: readonly Token[];
  #index = 0;
  /** How many parentheses are open at the current token (the language allows one level). */
  #depth = 0;

  /** Tokenizes `source` at once; lexical errors carry `errorCode` too. */
  constructor(source: string, errorCode: ErrorCode = 'FILTER_SYNTAX') {
    this.#source = source;
    this.#errorCode = errorCode;
    this.#tokens = tokenize(source, errorCode);
  }

  /**
   * clause := or_expr | ε
   *
   * Undefined for an empty or blank clause (no filter).
   */
  parseClause(): FilterNode | undefined {
    this.#rejectNot();
    if (this.#at(TokenKind.EndOfInput)) return undefined;
    const expression = this.parseOrExpr();
    this.#expect([TokenKind.EndOfInput], '`AND`, `OR` or <end of input>');
    return expression;
  }

  /** or_expr := and_expr ( OR and_expr )* */
  parseOrExpr(): FilterNode {
    const operands = [this.parseAndExpr()];
    while (this.#accept(TokenKind.Or)) operands.push(this.parseAndExpr());
    return operands.length === 1 ? operands[0]! : OrNode.create(operands, spanOfAll(operands));
  }

  /** and_expr := primary ( AND primary )* */
  parseAndExpr(): FilterNode {
    const operands = [this.parsePrimary()];
    while (this.#accept(TokenKind.And)) operands.push(this.parsePrimary());
    return operands.length === 1 ? operands[0]! : AndNode.create(operands, spanOfAll(operands));
  }

  /** primary := '(' or_expr ')' | predicate */
  parsePrimary(): FilterNode {
    const open = this.#accept(TokenKind.OpenParen);
    if (!open) return this.parsePredicate();
    if (this.#depth >= 1) {
      throw this.#error(
        'FILTER_NESTING_TOO_DEEP',
        'Parentheses nest at most one level deep; remove the inner `(` and `)` or rewrite the condition without them.',
        spanOf(open),
      );
    }
    this.#depth += 1;
    const expression = this.parseOrExpr();
    const close = this.#expect([TokenKind.CloseParen]);
    this.#depth -= 1;
    return GroupNode.create(expression, spanBetween(open, close));
  }

  /**
   * predicate := field op literal
   *            | field IN '(' literal ( ',' literal )* ')'
   *            | field LIKE string
   *            | field BETWEEN literal AND literal
   *            | field IS NULL
   *            | literal op literal      (ours: accepted as a constant, e.g. `1=1`)
   */
  parsePredicate(): FilterNode {
    if (LITERAL_KINDS.includes(this.#peek().kind)) {
      const left = this.parseLiteral();
      const operator = this.parseOperator(COMPARISON_OPERATORS, 'a comparison operator');
      const right = this.parseLiteral();
      return ComparisonNode.create(left, operator.value as ComparisonOperator, right, spanBetween(left.span, right.span));
    }
    const fieldToken = this.#expect([TokenKind.Identifier]);
    const field = FieldNode.create(fieldToken.value, spanOf(fieldToken));
    const operator = this.parseOperator(PREDICATE_OPERATORS, 'an operator');
    switch (operator.kind) {
      case TokenKind.In: {
        const { values, close } = this.parseInList();
        return InNode.create(field, values, spanBetween(fieldToken, close));
      }
      case TokenKind.Like: {
        const patternToken = this.#expect([TokenKind.String], 'a quoted pattern');
        const pattern = LiteralNode.createString(patternToken.value, spanOf(patternToken));
        return LikeNode.create(field, pattern, spanBetween(fieldToken, patternToken));
      }
      case TokenKind.Between: {
        const low = this.parseLiteral();
        this.#expect([TokenKind.And]);
        const high = this.parseLiteral();
        return BetweenNode.create(field, low, high, spanBetween(fieldToken, high.span));
      }
      case TokenKind.Is: {
        const nullToken = this.#expect([TokenKind.Null]);
        return IsNullNode.create(field, spanBetween(fieldToken, nullToken));
      }
      default: {
        const value = this.parseLiteral();
        return ComparisonNode.create(
          field, operator.value as ComparisonOperator, value, spanBetween(fieldToken, value.span),
        );
      }
    }
  }

  /** op := '=' | '!=' | '<>' | '<' | '<=' | '>' | '>='   (here also IN, LIKE, BETWEEN, IS after a field) */
  parseOperator(kinds: readonly TokenKind[], description: string): Token {
    const shown = kinds.map((kind) => `\`${kind}\``).join(', ');
    return this.#expect(kinds, `${description} (${shown})`);
  }

  /** in_list := '(' literal ( ',' literal )* ')' */
  parseInList(): { readonly values: readonly LiteralNode[]; readonly close: Token } {
    this.#expect([TokenKind.OpenParen]);
    const values = [this.parseLiteral()];
    while (this.#accept(TokenKind.Comma)) values.push(this.parseLiteral());
    const close = this.#expect([TokenKind.CloseParen], '`,` or `)`');
    return { values, close };
  }

  /** literal := string | number | TRUE | FALSE */
  parseLiteral(): LiteralNode {
    const token = this.#expect(LITERAL_KINDS, 'a value (a quoted string, a number, TRUE or FALSE)');
    const span = spanOf(token);
    switch (token.kind) {
      case TokenKind.String: return LiteralNode.createString(token.value, span);
      case TokenKind.Number: return LiteralNode.createNumber(token.value, span);
      default: return LiteralNode.createBoolean(token.kind === TokenKind.True, span);
    }
  }

  /** order_by := ε | order_item ( ',' order_item )* */
  parseOrderBy(): readonly OrderByItemNode[] {
    const items: OrderByItemNode[] = [];
    if (this.#at(TokenKind.EndOfInput)) return Object.freeze(items);
    items.push(this.parseOrderItem());
    while (this.#accept(TokenKind.Comma)) items.push(this.parseOrderItem());
    this.#expect([TokenKind.EndOfInput], '`,` or <end of input>');
    return Object.freeze(items);
  }

  /** order_item := field ( ASC | DESC )? */
  parseOrderItem(): OrderByItemNode {
    const fieldToken = this.#expect([TokenKind.Identifier]);
    const field = FieldNode.create(fieldToken.value, spanOf(fieldToken));
    const direction = this.#accept(TokenKind.Asc) ?? this.#accept(TokenKind.Desc);
    if (!direction && !this.#at(TokenKind.Comma) && !this.#at(TokenKind.EndOfInput)) {
      this.#expect([TokenKind.Asc, TokenKind.Desc, TokenKind.Comma, TokenKind.EndOfInput]);
    }
    return OrderByItemNode.create(
      field,
      direction?.kind === TokenKind.Desc ? 'desc' : 'asc',
      spanBetween(fieldToken, direction ?? fieldToken),
    );
  }

  /**
   * The keyword `not` is rejected wherever it appears (spec §5), before the grammar is checked, so
   * the user learns the rule rather than a confusing syntax error. The message names the replacement.
   */
  #rejectNot(): void {
    const tokens = this.#tokens;
    const index = tokens.findIndex((token) => token.kind === TokenKind.Not);
    if (index === -1) return;
    const not = tokens[index]!;
    const before = tokens[index - 1];
    const after = tokens[index + 1];
    const field = before?.kind === TokenKind.Identifier ? before.value : 'field';
    let message: string;
    let span: SourcePosition = spanOf(not);
    if (before?.kind === TokenKind.Is) {
      span = spanBetween(before, after?.kind === TokenKind.Null ? after : not);
      message = '`IS NOT NULL` is not supported: the keyword `not` is rejected. '
        + 'Only `IS NULL` can be tested; to exclude a value, use `!=`.';
    } else if (after?.kind === TokenKind.In) {
      span = spanBetween(not, after);
      message = '`NOT IN` is not supported: the keyword `not` is rejected. '
        + `Use \`!=\` for each value instead, e.g. \`${field} != 'a' and ${field} != 'b'\`.`;
    } else if (after?.kind === TokenKind.Like) {
      span = spanBetween(not, after);
      message = '`NOT LIKE` is not supported: the keyword `not` is rejected. Use `!=` to exclude an exact value.';
    } else if (after?.kind === TokenKind.Between) {
      span = spanBetween(not, after);
      message = '`NOT BETWEEN` is not supported: the keyword `not` is rejected. '
        + `Use \`<\` and \`>\` instead, e.g. \`${field} < 1 or ${field} > 9\`.`;
    } else {
      const [subject, operator] = [tokens[index + 1], tokens[index + 2]];
      const negated = operator === undefined ? undefined : NEGATED_OPERATORS.get(operator.kind);
      message = subject?.kind === TokenKind.Identifier && operator !== undefined && negated !== undefined
        ? `The keyword \`not\` is not supported; write \`${subject.value} ${negated} …\` instead of \`not ${subject.value} ${operator.value} …\`.`
        : 'The keyword `not` is not supported; negate the comparison itself instead, with `!=` for `=` and `=` for `!=`.';
    }
    throw this.#error('FILTER_NOT_SUPPORTED', message, span);
  }

  /**
   * Consumes the current token when its kind is one of `kinds`; otherwise the one "Expected X, found
   * Y." error of the parser, with a hint when we can guess the fix.
   */
  #expect(kinds: readonly TokenKind[], description?: string): Token {
    const token = this.#peek();
    if (kinds.includes(token.kind)) {
      this.#index += 1;
      return token;
    }
    const expected = description ?? listOf(kinds.map((kind) => (kind.startsWith('<') ? kind : `\`${kind}\``)));
    const hint = this.#hint(kinds, token);
    throw this.#error(
      this.#errorCode,
      `Expected ${expected}, found ${describeToken(token)}.${hint ? ` ${hint}` : ''}`,
      spanOf(token),
    );
  }

  #hint(kinds: readonly TokenKind[], found: Token): string | undefined {
    const wantsLiteral = kinds.includes(TokenKind.String);
    if (wantsLiteral && found.kind === TokenKind.Identifier) {
      return `Strings are written in single quotes: did you mean \`'${found.value}'\`?`;
    }
    if (wantsLiteral && found.kind === TokenKind.Null) return 'To test for a missing value, write `IS NULL`.';
    if (kinds.includes(TokenKind.EndOfInput) && found.kind === TokenKind.CloseParen) {
      return 'This `)` closes no `(`.';
    }
    if (this.#errorCode === 'FILTER_SYNTAX' && kinds.includes(TokenKind.EndOfInput) && found.kind !== TokenKind.EndOfInput) {
      return 'Did you forget `and` or `or` between two conditions?';
    }
    if (kinds.includes(TokenKind.CloseParen) && found.kind === TokenKind.EndOfInput) {
      return 'A `(` is not closed.';
    }
    return undefined;
  }

  #peek(): Token {
    // The lexer always ends with `<end of input>`, and nothing consumes it.
    return this.#tokens[this.#index] ?? this.#tokens[this.#tokens.length - 1]!;
  }

  #at(kind: TokenKind): boolean {
    return this.#peek().kind === kind;
  }

  #accept(kind: TokenKind): Token | undefined {
    if (!this.#at(kind)) return undefined;
    const token = this.#peek();
    this.#index += 1;
    return token;
  }

  #error(code: ErrorCode, message: string, span: SourcePosition) {
    return createClauseError(code, message, this.#source, span);
  }
}

function spanOfAll(nodes: readonly FilterNode[]): SourcePosition {
  return spanBetween(nodes[0]!.span, nodes[nodes.length - 1]!.span);
}

function listOf(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** The AST of a `where` clause, or undefined when it is empty or blank. Throws FILTER_* AppErrors. */
export function parseFilter(source: string): FilterNode | undefined {
  return new Parser(source, 'FILTER_SYNTAX').parseClause();
}

/** The items of an `orderBy` clause (`name [ASC|DESC], …`); empty for a blank clause. Throws ORDER_BY_INVALID. */
export function parseOrderBy(source: string): readonly OrderByItemNode[] {
  return new Parser(source, 'ORDER_BY_INVALID').parseOrderBy();
}
