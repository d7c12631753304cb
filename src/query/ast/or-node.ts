import type { SourcePosition } from '../../errors.js';
import { hasKind } from './has-kind.js';
import type { FilterNode } from './filter-node.js';

/** `or_expr := and_expr ( OR and_expr )*` with at least two operands, kept flat. */
export interface OrNode {
  readonly kind: 'Or';
  readonly operands: readonly FilterNode[];
  readonly span: SourcePosition;
}

export const OrNode = Object.freeze({
  create(operands: readonly FilterNode[], span: SourcePosition): OrNode {
    return Object.freeze({ kind: 'Or', operands: Object.freeze([...operands]), span });
  },
  is(node: unknown): node is OrNode {
    return hasKind(node, 'Or');
  },
});
