import type { SourcePosition } from '../../errors.js';
import type { FieldNode } from './field-node.js';
import { hasKind } from './has-kind.js';

/** `field IS NULL` (there is no `IS NOT NULL`: the keyword `not` is rejected). */
export interface IsNullNode {
  readonly kind: 'IsNull';
  readonly field: FieldNode;
  readonly span: SourcePosition;
}

export const IsNullNode = Object.freeze({
  create(field: FieldNode, span: SourcePosition): IsNullNode {
    return Object.freeze({ kind: 'IsNull', field, span });
  },
  is(node: unknown): node is IsNullNode {
    return hasKind(node, 'IsNull');
  },
});
