import type { D1Value, SqlStatement } from '../../client/types';
import { quoteIdentifier } from '../../sql/identifiers';
import { and, raw, type Condition, type MaybeCondition } from '../../sql/query';
import { signalConditions, timestampRange } from './signal-filters';
import { METRICS, type SignalTable } from './signal-tables';

// The analytics SQL of metrics, scores and feedback: ONE builder parameterised by the signal's table,
// value column and key column. Every method is one statement: the rows of each time window (the
// current one, and the compared one) are a UNION ALL, so comparePeriod needs no second query; buckets
// are UTC-epoch aligned integer division of epoch-ms timestamps; percentiles interpolate exactly as
// `percentile_cont` does, all percentiles and buckets at once.

type DateRange = { start?: Date; end?: Date; startExclusive?: boolean; endExclusive?: boolean };

/** Bucket widths of core's intervals, written into the SQL as integer literals (D1 binds numbers as REAL). */
export const INTERVAL_MS: Readonly<Record<string, number>> = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000 };

const SHIFT_MS: Readonly<Record<string, number>> = { previous_day: 86_400_000, previous_week: 604_800_000 };

/** What one analytics call reads: which rows of which signal, aggregated how, split by what. */
export interface Analysis {
  signal: SignalTable;
  /** Selects the series (metric names, a scorer, a feedback type). */
  key: Condition;
  filters?: Record<string, unknown>;
  aggregation?: string;
  /** The column `count_distinct` counts (metrics only). */
  distinct?: string;
  comparePeriod?: string;
  groupBy?: readonly string[];
  interval?: string;
}

/** Whether `comparePeriod` applies: core compares only a window with both bounds. */
export const compares = (a: Analysis): boolean => windows(a.filters?.timestamp as DateRange | undefined, a.comparePeriod).length === 2;

/** The current window, and the compared one when `comparePeriod` applies (both bounds given), as core defines them. */
function windows(range: DateRange | undefined, comparePeriod: string | undefined): (DateRange | undefined)[] {
  if (!comparePeriod || !range?.start || !range.end) return [range];
  const shift = SHIFT_MS[comparePeriod] ?? range.end.getTime() - range.start.getTime();
  return [range, { ...range, start: new Date(range.start.getTime() - shift), end: new Date(range.end.getTime() - shift) }];
}

const col = (name: string) => `s.${quoteIdentifier(name)}`;

/** A group-by key as SQL: a text column of the signal, else (metrics) a label of that name, else NULL. */
function dimension(signal: SignalTable, key: string): Condition {
  const column = signal.spec.columns[key];
  const own = column?.type === 'text' && key !== signal.id ? col(key) : undefined;
  if (signal !== METRICS) return raw(own ?? 'NULL');
  const label = `(SELECT l.value FROM json_each(s."labels") AS l WHERE l.key = ?)`;
  return raw(own ? `coalesce(${own}, ${label})` : label, key);
}

/** Each window's matching rows, as one UNION ALL: c (cursor), ts, v (value), w (window), b (bucket), cost, unit, d, g0.. (dimensions). */
function rows(table: string, a: Analysis): Condition {
  const { signal } = a;
  const metric = signal === METRICS;
  // A time series names its series by the dimensions' text, so a missing value and '' are one series.
  const dims = (a.groupBy ?? []).map((key, i) => {
    const d = dimension(signal, key);
    return { sql: `${a.interval ? `coalesce(${d.sql}, '')` : d.sql} AS g${i}`, params: d.params };
  });
  const bucket = a.interval ? `(s."timestamp" / ${INTERVAL_MS[a.interval]}) * ${INTERVAL_MS[a.interval]}` : '0';
  const distinct = metric && a.distinct ? col(a.distinct) : 'NULL';
  const parts = windows(a.filters?.timestamp as DateRange | undefined, a.comparePeriod).map((range, w) => {
    const filter = and([a.key, ...signalConditions(signal, a.filters, { range: false }), ...timestampRange(range)] as MaybeCondition[]);
    const select = [
      `s."cursorId" AS c, s."timestamp" AS ts, ${col(signal.value)} AS v, ${w} AS w, ${bucket} AS b`,
      metric ? 's."estimatedCost" AS cost, s."costUnit" AS unit' : 'NULL AS cost, NULL AS unit',
      `${distinct} AS d`,
      ...dims.map((d) => d.sql),
    ];
    return { sql: `SELECT ${select.join(', ')} FROM ${table} AS s WHERE ${filter.sql || 'true'}`, params: [...dims.flatMap((d) => d.params), ...filter.params] };
  });
  return { sql: parts.map((p) => p.sql).join(' UNION ALL '), params: parts.flatMap((p) => p.params) };
}

const AGGREGATES: Readonly<Record<string, string>> = {
  sum: 'SUM(v)',
  avg: 'AVG(v)',
  min: 'MIN(v)',
  max: 'MAX(v)',
  count: 'COUNT(v)',
  count_distinct: 'COUNT(DISTINCT d)',
  last: 'MAX(CASE WHEN rn = 1 THEN v END)',
};

/**
 * One row per window, dimension group and bucket: `value`, `cost` (sum of known costs), `units` (JSON
 * array of distinct cost units), `first` (the earliest stored row, for core's first-seen order).
 */
export function aggregateSql(table: string, a: Analysis, order?: { direction: 'ASC' | 'DESC'; limit?: number }): SqlStatement {
  const source = rows(table, a);
  const groups = ['w', ...(a.groupBy ?? []).map((_, i) => `g${i}`), 'b'];
  // `last` is the value of each group's newest row: numbered newest first, then picked by the aggregate.
  const ranked = a.aggregation === 'last' ? `SELECT *, ROW_NUMBER() OVER (PARTITION BY ${groups.join(', ')} ORDER BY ts DESC, c DESC) AS rn FROM (${source.sql})` : source.sql;
  const value = a.aggregation === 'count_distinct' && !a.distinct ? '0' : AGGREGATES[a.aggregation ?? 'sum']!;
  const tail = order ? ` ORDER BY coalesce(value, 0) ${order.direction}, first ASC${order.limit === undefined ? '' : ' LIMIT ?'}` : '';
  return {
    sql: `SELECT ${groups.join(', ')}, ${value} AS value, SUM(cost) AS cost, json_group_array(DISTINCT unit) AS units, MIN(c) AS first
      FROM (${ranked}) GROUP BY ${groups.join(', ')}${tail}`,
    params: [...source.params, ...(order?.limit === undefined ? [] : [order.limit])],
  };
}

/** Rows `(i, b, value)`: the i-th requested percentile of each bucket, interpolated as `percentile_cont`. */
export function percentilesSql(table: string, a: Analysis, percentiles: readonly number[]): SqlStatement {
  const source = rows(table, { ...a, comparePeriod: undefined, groupBy: [] });
  return {
    sql: `WITH p(i, pct) AS (SELECT key, value FROM json_each(?)),
      o AS MATERIALIZED (SELECT b, v, ROW_NUMBER() OVER (PARTITION BY b ORDER BY v) - 1 AS rn, COUNT(*) OVER (PARTITION BY b) AS n FROM (${source.sql})),
      x AS (SELECT p.i, o.b, p.pct * (o.n - 1) AS pos, CAST(p.pct * (o.n - 1) AS INTEGER) AS lo, o.rn, o.v FROM p JOIN o
        ON o.rn BETWEEN CAST(p.pct * (o.n - 1) AS INTEGER) AND CAST(p.pct * (o.n - 1) AS INTEGER) + 1)
      SELECT i, b, lo_v + (pos - lo) * (coalesce(hi_v, lo_v) - lo_v) AS value FROM (
        SELECT i, b, MAX(pos) AS pos, MAX(lo) AS lo, MAX(CASE WHEN rn = lo THEN v END) AS lo_v, MAX(CASE WHEN rn = lo + 1 THEN v END) AS hi_v
        FROM x GROUP BY i, b)
      ORDER BY i, b`,
    params: [JSON.stringify(percentiles), ...source.params] as D1Value[],
  };
}
