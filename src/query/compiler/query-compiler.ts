import type { Dialect } from '../../catalog/index.js';
import type { CompiledColumn, CompiledQuery } from './compiled-query.js';
import type { UsageQueryPlan } from './plan.js';
import type { BoundValue, ParameterValue, ResolvedFilter } from './resolve.js';

type FilterCompilers = {
  readonly [K in ResolvedFilter['kind']]: (node: Extract<ResolvedFilter, { kind: K }>) => void;
};

/** `join` clauses by table; the aliases are the ones the catalogue's expressions are written over. */
const JOIN_SQL = {
  users: 'join users u on u.id = r.user_id',
  teams: 'join teams t on t.id = r.team_id',
} as const;

/**
 * Walks a usage-query plan and writes SQL for one dialect. The SQL text comes only from the catalogue
 * and from this class; every request value goes through `appendValue`. Subclasses override small
 * protected hooks, each for a documented difference between the databases.
 */
export abstract class QueryCompiler {
  /** Which of the catalogue's per-dialect expressions to write. */
  protected abstract readonly dialect: Dialect;

  #sql = '';
  #parameters: ParameterValue[] = [];

  readonly #filterCompilers: FilterCompilers = {
    And: (node) => this.#appendJoined(node.operands, ' and '),
    Or: (node) => this.#appendJoined(node.operands, ' or '),
    Group: (node) => {
      this.append('(');
      this.#compileFilter(node.expression);
      this.append(')');
    },
    Constant: (node) => this.append(node.value ? 'true' : 'false'),
    Comparison: (node) => {
      this.append(`${this.#filterOperand(node.field)} ${node.operator} `);
      this.#appendBound(node.value);
    },
    In: (node) => {
      this.append(`${this.#filterOperand(node.field)} in (`);
      node.values.forEach((value, index) => {
        if (index > 0) this.append(', ');
        this.#appendBound(value);
      });
      this.append(')');
    },
    Like: (node) => {
      this.append(`${this.#filterOperand(node.field)} like `);
      this.appendValue(node.pattern);
      // The language has no escape character: only `%` and `_` are special. Postgres treats `\` as
      // LIKE's escape by default (postgresql.org/docs/current/functions-matching.html#FUNCTIONS-LIKE),
      // DuckDB has none by default (duckdb.org/docs/stable/sql/functions/pattern_matching#like);
      // `escape ''` means "no escape character" in both, so one spelling gives one behaviour.
      this.append(" escape ''");
    },
    Between: (node) => {
      this.append(`${this.#filterOperand(node.field)} between `);
      this.#appendBound(node.low);
      this.append(' and ');
      this.#appendBound(node.high);
    },
    IsNull: (node) => this.append(`${this.#filterOperand(node.field)} is null`),
  };

  /** The SQL, parameters and columns of a plan. Each call starts from a clean state. */
  compile(plan: UsageQueryPlan): CompiledQuery {
    this.#sql = '';
    this.#parameters = [];
    this.#compileSelect(plan);
    this.#compileFrom(plan);
    this.#compileWhere(plan);
    this.#compileGroupBy(plan);
    this.#compileOrderBy(plan);
    const columns: CompiledColumn[] = [...plan.fields, ...plan.metrics].map(({ name, type }) => Object.freeze({ name, type }));
    return Object.freeze({
      sql: this.#sql,
      parameters: Object.freeze([...this.#parameters]),
      columns: Object.freeze(columns),
    });
  }

  protected append(sql: string): void {
    this.#sql += sql;
  }

  /** The one place a value enters a query: it becomes a parameter, and its placeholder is written. */
  protected appendValue(value: ParameterValue): void {
    this.#parameters.push(value);
    this.append(this.placeholder(this.#parameters.length));
  }

  /**
   * Placeholder of the n-th parameter (1-based). Both databases take `$n`: Postgres natively
   * (postgresql.org/docs/current/sql-prepare.html), DuckDB as positional prepared-statement
   * parameters (duckdb.org/docs/stable/sql/query_syntax/prepared_statements).
   */
  protected placeholder(index: number): string {
    return `$${index}`;
  }

  /**
   * A column alias. Both databases quote identifiers with `"` and double an embedded `"`
   * (postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS,
   * duckdb.org/docs/stable/sql/dialect/keywords_and_identifiers). The names are the catalogue's,
   * never the request's.
   */
  protected quoteIdentifier(name: string): string {
    return `"${name.replaceAll('"', '""')}"`;
  }

  #compileSelect(plan: UsageQueryPlan): void {
    const items = [...plan.fields, ...plan.metrics].map((def) => `${def.sql[this.dialect]} as ${this.quoteIdentifier(def.name)}`);
    this.append(`select ${items.join(', ')}`);
  }

  /** The usage records, plus only the tables a selected or tested expression needs. */
  #compileFrom(plan: UsageQueryPlan): void {
    // The table's name is the catalogue's (never the request's).
    this.append(` from ${plan.table ?? 'usage_records'} r`);
    for (const join of plan.joins) this.append(` ${JOIN_SQL[join]}`);
  }

  #compileWhere(plan: UsageQueryPlan): void {
    this.append(' where ');
    if (plan.scope.kind === 'contract') {
      this.append('r.contract_number = ');
      this.appendValue(plan.scope.contractNumber);
    } else if (plan.scope.teamIds.length === 0) {
      // No team: the caller administers none, so the query must return nothing (spec §1), not everything.
      this.append('false');
    } else {
      this.append('r.team_id in (');
      this.#appendList(plan.scope.teamIds);
      this.append(')');
    }
    if (plan.usageCategories !== undefined) {
      this.append(' and r.usage_category in (');
      this.#appendList(plan.usageCategories);
      this.append(')');
    }
    if (plan.filter !== undefined) {
      this.append(' and (');
      this.#compileFilter(plan.filter);
      this.append(')');
    }
  }

  /**
   * One group per distinct combination of the selected fields. An ordered field whose comparison
   * expression differs from its output expression (a date compared as DATE but shown as text) is
   * grouped by too: both databases refuse to order a grouped query by an expression that is not
   * grouped, and adding it changes no group because the output is a function of it.
   */
  #compileGroupBy(plan: UsageQueryPlan): void {
    if (plan.fields.length === 0) return;
    const items = plan.fields.map((_, index) => String(index + 1));
    for (const order of plan.orderBy) {
      if (order.kind !== 'field' || order.field.filterSql[this.dialect] === order.field.sql[this.dialect]) continue;
      const operand = this.#filterOperand(order.field);
      if (!items.includes(operand)) items.push(operand);
    }
    this.append(` group by ${items.join(', ')}`);
  }

  /**
   * The requested order, nulls last in both databases (their defaults differ for `desc`), then every
   * output column as a tie-break so that pages of a stored result never overlap or skip (spec §3.3).
   */
  #compileOrderBy(plan: UsageQueryPlan): void {
    const items = plan.orderBy.map((order) => {
      const expression = order.kind === 'field'
        ? this.#filterOperand(order.field)
        : asOperand(order.metric.sql[this.dialect]);
      return `${expression} ${order.direction} nulls last`;
    });
    const columnCount = plan.fields.length + plan.metrics.length;
    for (let position = 1; position <= columnCount; position++) items.push(String(position));
    this.append(` order by ${items.join(', ')}`);
  }

  #compileFilter(node: ResolvedFilter): void {
    (this.#filterCompilers[node.kind] as (node: ResolvedFilter) => void)(node);
  }

  #appendJoined(operands: readonly ResolvedFilter[], separator: string): void {
    operands.forEach((operand, index) => {
      if (index > 0) this.append(separator);
      this.#compileFilter(operand);
    });
  }

  #appendList(values: readonly ParameterValue[]): void {
    values.forEach((value, index) => {
      if (index > 0) this.append(', ');
      this.appendValue(value);
    });
  }

  /** Dates and date-times travel as text and are cast where they are compared. */
  #appendBound(bound: BoundValue): void {
    if (bound.cast === undefined) {
      this.appendValue(bound.value);
      return;
    }
    this.append('cast(');
    this.appendValue(bound.value);
    this.append(` as ${bound.cast})`);
  }

  #filterOperand(field: { readonly filterSql: Readonly<Record<Dialect, string>> }): string {
    return asOperand(field.filterSql[this.dialect]);
  }
}

/**
 * A catalogue expression ready to sit left of an operator. Expressions such as
 * `r.parent_product_name is null` or `case … end` contain top-level words that would bind to a
 * following `= $1` or `desc` the wrong way, so anything that is not a single term is parenthesised.
 */
function asOperand(sql: string): string {
  let depth = 0;
  let quoted = false;
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    else if (quoted) continue;
    else if (ch === '(') depth += 1;
    else if (ch === ')') depth -= 1;
    else if (depth === 0 && /\s/.test(ch)) return `(${sql})`;
  }
  return sql;
}
