import type { SqlStatement } from '../../client/types';
import { storageOperation } from '../../errors';
import type { DomainContext } from '../base';
import { aggregateSql, compares, percentilesSql, type Analysis } from './analytics';
import { METRICS } from './signal-tables';

type Row = Record<string, unknown> & { w: number; b: number; value: number | null; cost: number | null; units: string; first: number };

/** The one cost unit of a set of rows' units, or null when there is none or more than one. */
function unitOf(rows: readonly Row[]): string | null {
  const units = new Set(rows.flatMap((row) => (JSON.parse(row.units) as unknown[]).filter((u): u is string => typeof u === 'string')));
  return units.size === 1 ? [...units][0]! : null;
}

const change = (value: number | null, previous: number | null) => (previous === null || previous === 0 || value === null ? null : ((value - previous) / Math.abs(previous)) * 100);

/**
 * Runs the analytics statements of `analytics.ts` (one per call) and shapes their rows as core's
 * responses. Metrics carry cost figures; scores and feedback do not.
 */
export class Analytics {
  constructor(private readonly ctx: DomainContext) {}

  #rows<T = Row>(operation: string, statement: SqlStatement): Promise<T[]> {
    return storageOperation(operation, {}, () => this.ctx.driver.all<T>(statement));
  }

  #table(a: Analysis): string {
    return this.ctx.tables(a.signal.spec.name);
  }

  async aggregate(operation: string, a: Analysis) {
    const rows = await this.#rows(operation, aggregateSql(this.#table(a), a));
    const metric = a.signal === METRICS;
    const window = (w: number) => {
      const row = rows.find((r) => r.w === w);
      const value = row ? row.value : a.aggregation === 'count_distinct' ? 0 : null;
      return { value, cost: row?.cost ?? null, unit: unitOf(row ? [row] : []) };
    };
    const current = window(0);
    const result: Record<string, unknown> = metric ? { value: current.value, estimatedCost: current.cost, costUnit: current.unit } : { value: current.value };
    if (!compares(a)) return result;
    const previous = window(1);
    Object.assign(result, { previousValue: previous.value, changePercent: change(current.value, previous.value) });
    if (metric) Object.assign(result, { previousEstimatedCost: previous.cost, costChangePercent: change(current.cost, previous.cost) });
    return result;
  }

  async breakdown(operation: string, a: Analysis & { groupBy: readonly string[] }, order: { direction: 'ASC' | 'DESC'; limit?: number }) {
    const rows = await this.#rows(operation, aggregateSql(this.#table(a), a, order));
    const metric = a.signal === METRICS;
    return {
      groups: rows.map((row) => ({
        dimensions: Object.fromEntries(a.groupBy.map((key, i) => [key, row[`g${i}`] ?? null])),
        value: row.value ?? 0,
        ...(metric ? { estimatedCost: row.cost ?? null, costUnit: unitOf([row]) } : {}),
      })),
    };
  }

  /** Series in first-seen order, points by bucket; without `groupBy`, one series called `name`. */
  async timeSeries(operation: string, a: Analysis, name: string) {
    const rows = await this.#rows(operation, aggregateSql(this.#table(a), a));
    const metric = a.signal === METRICS;
    const keys = a.groupBy ?? [];
    const series = new Map<string, { label: string; points: Row[] }>();
    if (keys.length === 0) series.set('', { label: name, points: [] });
    for (const row of [...rows].sort((x, y) => x.first - y.first)) {
      const values = keys.map((_, i) => String(row[`g${i}`]));
      const key = keys.length === 0 ? '' : JSON.stringify(values);
      const entry = series.get(key) ?? { label: values.join('|'), points: [] };
      series.set(key, { ...entry, points: [...entry.points, row] });
    }
    return {
      series: [...series.values()].map(({ label, points }) => ({
        name: label,
        ...(metric ? { costUnit: unitOf(points) } : {}),
        points: points
          .sort((x, y) => x.b - y.b)
          .map((row) => ({ timestamp: new Date(row.b), value: row.value ?? 0, ...(metric ? { estimatedCost: row.cost ?? null } : {}) })),
      })),
    };
  }

  async percentiles(operation: string, a: Analysis, percentiles: readonly number[]) {
    const rows = await this.#rows<{ i: number; b: number; value: number }>(operation, percentilesSql(this.#table(a), a, percentiles));
    return {
      series: percentiles.map((percentile, i) => ({
        percentile,
        points: rows.filter((row) => row.i === i).map((row) => ({ timestamp: new Date(row.b), value: row.value })),
      })),
    };
  }
}
