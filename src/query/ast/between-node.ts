import type { SourcePosition } from '../../errors.js';
import type { FieldNode } from './field-node.js';
import { hasKind } from './has-kind.js';
import type { LiteralNode } from './literal-node.js';

/** `field BETWEEN low AND high`, both ends included (as in SQL). */
export interface BetweenNode {
  readonly kind: 'Between';
  readonly field: FieldNode;
  readonly low: LiteralNode;
  readonly high: LiteralNode;
  readonly span: SourcePosition;
}

export const BetweenNode = Object.freeze({
  create(field: FieldNode, low: LiteralNode, high: LiteralNode, span: SourcePosition): BetweenNode {
    return Object.freeze({ kind: 'Between', field, low, high, span });
  },
  is(node: unknown): node is BetweenNode {
    return hasKind(node, 'Between');
  },
});
