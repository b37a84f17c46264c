import type { D1RawResult, D1Value, StatementResult } from './types';

/** Converts D1's `{ results, meta }` (binding, REST and custom clients alike) into a `StatementResult`. */
export function toStatementResult<Row>(raw: D1RawResult | undefined): StatementResult<Row> {
  return { rows: (raw?.results ?? []) as Row[], changes: Number(raw?.meta?.changes ?? 0) };
}

/**
 * D1 throws on `undefined` (D1_TYPE_ERROR); an optional field left out by a caller means NULL,
 * so the conversion happens here, once, for every transport.
 */
export function bindable(params: readonly D1Value[] | readonly unknown[]): D1Value[] {
  return params.map((value) => (value === undefined ? null : (value as D1Value)));
}
