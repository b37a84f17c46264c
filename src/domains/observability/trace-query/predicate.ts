import type {
  TraceQueryTenantScope,
  TrustedThreadPredicate,
  TrustedTraceQueryPredicate,
  TrustedTraceQueryScalarPredicate,
} from '@mastra/core/storage';
import type { D1Value } from '../../../client/types';
import { userError } from '../../../errors';
import { raw, type Condition } from '../../../sql/query';
import { COLLECTIONS, has, TRACE_FIELDS, type Collection, type FieldSql } from './fields';

// Compiles core's trusted predicate trees to SQL conditions. The trace row is aliased `r`, a related
// record `x`, a thread `t`. Conditions are two-valued (a missing value makes a comparison false, never
// NULL), so `not` and `none` mean exactly "the inner condition does not hold", as in core's other stores.

type Literal = string | number;

/** What a compiled query needs from its store: the operation (for errors), table names and the tenant scope. */
export interface CompileContext {
  operation: string;
  table: (name: string) => string;
  scope?: TraceQueryTenantScope;
}

const COMPARISONS: Readonly<Record<string, string>> = { lt: '<', lte: '<=', gt: '>', gte: '>=' };

/** The conditions joined with `glue`, each parenthesised; none joined is the operator's identity. */
export function join(parts: readonly Condition[], glue: ' AND ' | ' OR '): Condition {
  if (parts.length === 0) return raw(glue === ' AND ' ? '1' : '0');
  return { sql: parts.map((p) => `(${p.sql})`).join(glue), params: parts.flatMap((p) => p.params) };
}

const glue = (operator: 'and' | 'or') => (operator === 'and' ? ' AND ' : ' OR ');

/** The tenant scope over the row aliased `alias`, or nothing when the plan has none. */
export function tenant(context: CompileContext, alias: string): Condition[] {
  const { organizationId, resourceId } = context.scope ?? {};
  return [
    ...(organizationId === undefined ? [] : [raw(`${alias}."organizationId" = ?`, organizationId)]),
    ...(resourceId === undefined ? [] : [raw(`${alias}."resourceId" = ?`, resourceId)]),
  ];
}

/** A plan core's planner would not make (an unknown field, operator or node): a USER error naming it. */
export const unsupported = (context: CompileContext, what: string) => userError(context.operation, `Unsupported trace-query ${what}`, { field: what });

/** A `metadata.<key>` field of the root span: its non-blank text value, the key bound, or NULL. */
export function metadataValue(path: string): Condition {
  return raw(`(SELECT NULLIF(trim(m.value), '') FROM json_each(r."metadata") AS m WHERE m.key = ? AND m.type = 'text')`, path.slice('metadata.'.length));
}

/** A field's SQL: a root metadata key, or a registered field of `fields`. */
function operand(context: CompileContext, fields: Readonly<Record<string, FieldSql>>, alias: string, field: string): { expr: Condition; epochMs?: boolean } {
  if (fields === TRACE_FIELDS && field.startsWith('metadata.')) return { expr: metadataValue(field) };
  if (!has(fields, field)) throw unsupported(context, `field ${field}`);
  const { sql, epochMs } = fields[field]!;
  return { expr: raw(sql(alias)), epochMs };
}

/** A literal as the column stores it: ISO timestamps become epoch milliseconds on epoch columns. */
function bindable(value: Literal, epochMs?: boolean): D1Value {
  return epochMs && typeof value === 'string' ? Date.parse(value) : value;
}

/** The reading of a split field the literal's type selects (`any` when there is no literal). */
function splitField(collection: Collection | undefined, field: string, sample: Literal | undefined): FieldSql | undefined {
  const split = collection?.split;
  if (!split || field !== split.field) return undefined;
  return sample === undefined ? split.any : typeof sample === 'number' ? split.number : split.string;
}

/** A leaf or boolean node over the row aliased `alias`, whose fields are `fields`. */
export function scalar(
  context: CompileContext,
  predicate: TrustedTraceQueryScalarPredicate,
  fields: Readonly<Record<string, FieldSql>>,
  alias: string,
  collection?: Collection,
): Condition {
  if (predicate.type === 'boolean') return join(predicate.args.map((arg) => scalar(context, arg, fields, alias, collection)), glue(predicate.operator));
  if (predicate.type === 'not') return wrap('NOT ', scalar(context, predicate.arg, fields, alias, collection));

  const sample = 'value' in predicate ? predicate.value : 'values' in predicate ? predicate.values[0] : undefined;
  const split = splitField(collection, predicate.field, sample);
  const { expr, epochMs } = split ? { expr: raw(split.sql(alias)) } : operand(context, fields, alias, predicate.field);
  // A related record is found by its trace id: unary `+` keeps SQLite from picking an index on the
  // predicate's column instead (e.g. every tool call of every trace, once per root).
  const x = collection ? `+${expr.sql}` : expr.sql;
  const at = (sql: string, ...values: D1Value[]): Condition => ({ sql, params: [...expr.params, ...values] });

  switch (predicate.type) {
    case 'presence':
      return at(`${x} IS ${predicate.operator === 'exists' ? 'NOT ' : ''}NULL`);
    case 'membership': {
      const values = JSON.stringify(predicate.values.map((v) => bindable(v, epochMs)));
      return at(`(${x} IN (SELECT j.value FROM json_each(?) AS j)) IS ${predicate.operator === 'in' ? '' : 'NOT '}1`, values);
    }
    case 'collection':
      if (!('value' in predicate)) return at(`${predicate.operator === 'empty' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM json_each(${x}))`);
      return at(`${predicate.operator === 'notIncludes' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM json_each(${x}) AS j WHERE j.value = ?)`, predicate.value);
    case 'comparison': {
      const value = bindable(predicate.value, epochMs);
      if (predicate.operator === 'eq' || predicate.operator === 'ne') return at(`${x} IS ${predicate.operator === 'ne' ? 'NOT ' : ''}?`, value);
      const op = COMPARISONS[predicate.operator];
      if (!op) throw unsupported(context, `operator ${predicate.operator}`);
      return at(`(${x} ${op} ?) IS 1`, value);
    }
  }
  throw unsupported(context, `predicate ${(predicate as { type?: string }).type}`);
}

function wrap(prefix: string, condition: Condition): Condition {
  return { sql: `${prefix}(${condition.sql})`, params: condition.params };
}

/** A trace predicate over the root span aliased `r`: fields, metadata and exists-clauses over related records. */
export function tracePredicate(context: CompileContext, predicate: TrustedTraceQueryPredicate): Condition {
  if (predicate.type === 'relation') {
    if (!has(COLLECTIONS, predicate.collection)) throw unsupported(context, `collection ${predicate.collection}`);
    const collection = COLLECTIONS[predicate.collection];
    const inner = scalar(context, predicate.predicate, collection.fields, 'x', collection);
    const scan = join([raw(`x."traceId" = r."traceId"`), ...tenant(context, 'x'), inner], ' AND ');
    return wrap(predicate.quantifier === 'none' ? 'NOT EXISTS ' : 'EXISTS ', { sql: `SELECT 1 FROM ${context.table(collection.table)} AS x WHERE ${scan.sql}`, params: scan.params });
  }
  if (predicate.type === 'boolean') return join(predicate.args.map((arg) => tracePredicate(context, arg)), glue(predicate.operator));
  if (predicate.type === 'not') return wrap('NOT ', tracePredicate(context, predicate.arg));
  return scalar(context, predicate, TRACE_FIELDS, 'r');
}

/** A thread predicate over the thread aliased `t`: exists-clauses over its eligible traces (the `eligible` CTE). */
export function threadPredicate(context: CompileContext, predicate: TrustedThreadPredicate): Condition {
  if (predicate.type === 'relation') {
    const inner = join([raw(`r."threadId" = t."threadId"`), tracePredicate(context, predicate.predicate)], ' AND ');
    return wrap(predicate.quantifier === 'none' ? 'NOT EXISTS ' : 'EXISTS ', { sql: `SELECT 1 FROM eligible AS r WHERE ${inner.sql}`, params: inner.params });
  }
  if (predicate.type === 'boolean') return join(predicate.args.map((arg) => threadPredicate(context, arg)), glue(predicate.operator));
  return wrap('NOT ', threadPredicate(context, predicate.arg));
}
