import { EntityType } from '@mastra/core/observability';
import type { SqlStatement } from '../../client/types';
import { jsonList } from '../../sql/params';

// The discovery lists: distinct values across spans, logs and metrics (every surface that carries the
// context fields, as core's ObservabilityInMemory reads them), sorted, each ONE statement. `tables` are
// the prefixed spans, logs and metrics tables; `metrics` the prefixed metrics table.

const ENTITY_TYPES = jsonList(Object.values(EntityType));

/** A prefix test D1's 50-byte LIKE pattern limit cannot break; an empty prefix matches everything. */
const prefixed = (column: string) => `(? = '' OR substr(${column}, 1, length(?)) = ?)`;
const limitOf = (limit: number | undefined) => (limit ? limit : -1);

/** Distinct non-empty values of `column` across the tables, optionally within one entity type. */
function distinctContext(tables: readonly string[], column: string, entityType?: string): SqlStatement {
  const scans = tables.map((t) => `SELECT "${column}" AS v FROM ${t} WHERE "${column}" IS NOT NULL AND "${column}" <> ''${entityType === undefined ? '' : ' AND "entityType" = ?'}`);
  return { sql: `${scans.join(' UNION ')} ORDER BY v`, params: entityType === undefined ? [] : tables.map(() => entityType) };
}

/** Statements of the eight discovery methods; each result row has one column `v`. */
export const discoverySql = {
  entityTypes(tables: readonly string[]): SqlStatement {
    const scans = tables.map((t) => `SELECT "entityType" AS v FROM ${t} WHERE "entityType" IN (SELECT value FROM json_each(?))`);
    return { sql: `${scans.join(' UNION ')} ORDER BY v`, params: tables.map(() => ENTITY_TYPES) };
  },
  entityNames: (tables: readonly string[], entityType?: string) => distinctContext(tables, 'entityName', entityType),
  serviceNames: (tables: readonly string[]) => distinctContext(tables, 'serviceName'),
  environments: (tables: readonly string[]) => distinctContext(tables, 'environment'),
  tags(tables: readonly string[], entityType?: string): SqlStatement {
    const scans = tables.map(
      (t) => `SELECT tag.value AS v FROM ${t} AS r, json_each(r."tags") AS tag WHERE r."tags" IS NOT NULL AND tag.type = 'text'${entityType === undefined ? '' : ' AND r."entityType" = ?'}`,
    );
    return { sql: `${scans.join(' UNION ')} ORDER BY v`, params: entityType === undefined ? [] : tables.map(() => entityType) };
  },
  metricNames(metrics: string, prefix = '', limit?: number): SqlStatement {
    return { sql: `SELECT DISTINCT "name" AS v FROM ${metrics} WHERE ${prefixed('"name"')} ORDER BY v LIMIT ?`, params: [prefix, prefix, prefix, limitOf(limit)] };
  },
  metricLabelKeys(metrics: string, metricName: string): SqlStatement {
    return { sql: `SELECT DISTINCT l.key AS v FROM ${metrics} AS m, json_each(m."labels") AS l WHERE m."name" = ? ORDER BY v`, params: [metricName] };
  },
  metricLabelValues(metrics: string, metricName: string, labelKey: string, prefix = '', limit?: number): SqlStatement {
    return {
      sql: `SELECT DISTINCT l.value AS v FROM ${metrics} AS m, json_each(m."labels") AS l
        WHERE m."name" = ? AND l.key = ? AND ${prefixed('l.value')} ORDER BY v LIMIT ?`,
      params: [metricName, labelKey, prefix, prefix, prefix, limitOf(limit)],
    };
  },
};
