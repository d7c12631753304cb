import type { AndNode } from './and-node.js';
import type { BetweenNode } from './between-node.js';
import type { ComparisonNode } from './comparison-node.js';
import type { GroupNode } from './group-node.js';
import type { InNode } from './in-node.js';
import type { IsNullNode } from './is-null-node.js';
import type { LikeNode } from './like-node.js';
import type { OrNode } from './or-node.js';

/** Every node a `where` clause parses to. Switches over `kind` are exhaustive (STYLE §4). */
export type FilterNode =
  | AndNode
  | OrNode
  | GroupNode
  | ComparisonNode
  | InNode
  | LikeNode
  | BetweenNode
  | IsNullNode;

/** The predicates: the leaves of a filter, each naming one field (or, for a comparison, a literal). */
export type PredicateNode = ComparisonNode | InNode | LikeNode | BetweenNode | IsNullNode;
