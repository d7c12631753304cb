import type { SourcePosition } from '../../errors.js';
import type { FieldNode } from './field-node.js';
import { hasKind } from './has-kind.js';
import type { StringLiteralNode } from './literal-node.js';

/** `field LIKE string`; `%` and `_` are the only wildcards, there is no escape character. */
export interface LikeNode {
  readonly kind: 'Like';
  readonly field: FieldNode;
  readonly pattern: StringLiteralNode;
  readonly span: SourcePosition;
}

export const LikeNode = Object.freeze({
  create(field: FieldNode, pattern: StringLiteralNode, span: SourcePosition): LikeNode {
    return Object.freeze({ kind: 'Like', field, pattern, span });
  },
  is(node: unknown): node is LikeNode {
    return hasKind(node, 'Like');
  },
});
