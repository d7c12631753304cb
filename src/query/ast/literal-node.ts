import type { SourcePosition } from '../../errors.js';
import { hasKind } from './has-kind.js';

/** A string, number or boolean literal. Numbers keep their source text to tell `2` from `2.5`. */
export type LiteralNode = StringLiteralNode | NumberLiteralNode | BooleanLiteralNode;

export interface StringLiteralNode {
  readonly kind: 'Literal';
  readonly type: 'string';
  readonly value: string;
  readonly span: SourcePosition;
}

export interface NumberLiteralNode {
  readonly kind: 'Literal';
  readonly type: 'number';
  readonly value: number;
  readonly text: string;
  readonly span: SourcePosition;
}

export interface BooleanLiteralNode {
  readonly kind: 'Literal';
  readonly type: 'boolean';
  readonly value: boolean;
  readonly span: SourcePosition;
}

export const LiteralNode = Object.freeze({
  createString(value: string, span: SourcePosition): StringLiteralNode {
    return Object.freeze({ kind: 'Literal', type: 'string', value, span });
  },
  createNumber(text: string, span: SourcePosition): NumberLiteralNode {
    return Object.freeze({ kind: 'Literal', type: 'number', value: Number(text), text, span });
  },
  createBoolean(value: boolean, span: SourcePosition): BooleanLiteralNode {
    return Object.freeze({ kind: 'Literal', type: 'boolean', value, span });
  },
  is(node: unknown): node is LiteralNode {
    return hasKind(node, 'Literal');
  },
});
