import type { SourcePosition } from '../../errors.js';
import { hasKind } from './has-kind.js';

/** A field name as the user wrote it; resolve maps it to a catalogue entry. */
export interface FieldNode {
  readonly kind: 'Field';
  readonly name: string;
  readonly span: SourcePosition;
}

export const FieldNode = Object.freeze({
  create(name: string, span: SourcePosition): FieldNode {
    return Object.freeze({ kind: 'Field', name, span });
  },
  is(node: unknown): node is FieldNode {
    return hasKind(node, 'Field');
  },
});
