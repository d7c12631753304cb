import type { SourcePosition } from '../../errors.js';
import { FieldNode } from './field-node.js';
import { hasKind } from './has-kind.js';
import type { LiteralNode } from './literal-node.js';

export type ComparisonOperator = '=' | '!=' | '<>' | '<' | '<=' | '>' | '>=';

/**
 * `field op literal`, or `literal op literal` (accepted as a constant, spec §5: a sample client sends
 * `1=1`).
 */
export interface ComparisonNode {
  readonly kind: 'Comparison';
  readonly left: FieldNode | LiteralNode;
  readonly operator: ComparisonOperator;
  readonly right: LiteralNode;
  readonly span: SourcePosition;
}

export const ComparisonNode = Object.freeze({
  create(
    left: FieldNode | LiteralNode, operator: ComparisonOperator, right: LiteralNode, span: SourcePosition,
  ): ComparisonNode {
    return Object.freeze({ kind: 'Comparison', left, operator, right, span });
  },
  is(node: unknown): node is ComparisonNode {
    return hasKind(node, 'Comparison');
  },
  /** True when the left side is a field rather than a literal. */
  hasField(node: ComparisonNode): node is ComparisonNode & { readonly left: FieldNode } {
    return FieldNode.is(node.left);
  },
});
