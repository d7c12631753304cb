import type { SourcePosition } from '../../errors.js';
import type { FieldNode } from './field-node.js';
import { hasKind } from './has-kind.js';

/** `name [ASC|DESC]`, one item of an `orderBy` clause; ascending when no direction is written. */
export interface OrderByItemNode {
  readonly kind: 'OrderByItem';
  readonly field: FieldNode;
  readonly direction: 'asc' | 'desc';
  readonly span: SourcePosition;
}

export const OrderByItemNode = Object.freeze({
  create(field: FieldNode, direction: 'asc' | 'desc', span: SourcePosition): OrderByItemNode {
    return Object.freeze({ kind: 'OrderByItem', field, direction, span });
  },
  is(node: unknown): node is OrderByItemNode {
    return hasKind(node, 'OrderByItem');
  },
});
