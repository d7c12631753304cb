import type { SourcePosition } from '../../errors.js';
import type { FieldNode } from './field-node.js';
import { hasKind } from './has-kind.js';
import type { LiteralNode } from './literal-node.js';

/** `field IN ( literal, … )`; the list is never empty. */
export interface InNode {
  readonly kind: 'In';
  readonly field: FieldNode;
  readonly values: readonly LiteralNode[];
  readonly span: SourcePosition;
}

export const InNode = Object.freeze({
  create(field: FieldNode, values: readonly LiteralNode[], span: SourcePosition): InNode {
    return Object.freeze({ kind: 'In', field, values: Object.freeze([...values]), span });
  },
  is(node: unknown): node is InNode {
    return hasKind(node, 'In');
  },
});
