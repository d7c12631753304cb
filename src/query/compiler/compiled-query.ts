import type { FieldType, MetricType } from '../../catalog/index.js';
import type { ParameterValue } from './resolve.js';

/** One output column: its catalogue name (the SQL alias) and value type. */
export interface CompiledColumn {
  readonly name: string;
  readonly type: FieldType | MetricType;
}

/**
 * SQL ready to run: `parameters[i]` binds placeholder `$<i+1>`. The SQL holds no user-written text;
 * every value from the request is in `parameters`.
 */
export interface CompiledQuery {
  readonly sql: string;
  readonly parameters: readonly ParameterValue[];
  readonly columns: readonly CompiledColumn[];
}
