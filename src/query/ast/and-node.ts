import type { SourcePosition } from '../../errors.js';
import { hasKind } from './has-kind.js';
import type { FilterNode } from './filter-node.js';

/** `and_expr := primary ( AND primary )*` with at least two operands, kept flat. */
export interface AndNode {
  readonly kind: 'And';
  readonly operands: readonly FilterNode[];
  readonly span: SourcePosition;
}

export const AndNode = Object.freeze({
  create(operands: readonly FilterNode[], span: SourcePosition): AndNode {
    return Object.freeze({ kind: 'And', operands: Object.freeze([...operands]), span });
  },
  is(node: unknown): node is AndNode {
    return hasKind(node, 'And');
  },
});
