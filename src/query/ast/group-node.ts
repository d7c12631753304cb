import type { SourcePosition } from '../../errors.js';
import { hasKind } from './has-kind.js';
import type { FilterNode } from './filter-node.js';

/** `'(' or_expr ')'`: kept in the tree so the compiled SQL has the user's parentheses. */
export interface GroupNode {
  readonly kind: 'Group';
  readonly expression: FilterNode;
  readonly span: SourcePosition;
}

export const GroupNode = Object.freeze({
  create(expression: FilterNode, span: SourcePosition): GroupNode {
    return Object.freeze({ kind: 'Group', expression, span });
  },
  is(node: unknown): node is GroupNode {
    return hasKind(node, 'Group');
  },
});
