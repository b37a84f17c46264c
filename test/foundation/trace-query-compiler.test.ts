import { MastraError } from '@mastra/core/error';
import {
  encodeTraceQueryCursor,
  parseGetTraceQueryValuesArgs,
  parseQueryThreadsInput,
  parseTraceQueryRequest,
  planThreadQuery,
  planTraceQuery,
  planTraceQueryValues,
  type TrustedTraceQueryKeysetTracesPlan,
  type TrustedTraceQueryPlan,
} from '@mastra/core/storage';
import { describe, expect, it } from 'vitest';
import type { CompileContext } from '../../src/domains/observability/trace-query/predicate';
import { tracePredicate } from '../../src/domains/observability/trace-query/predicate';
import { fieldValues, keysetTraces, threads } from '../../src/domains/observability/trace-query/statements';

// The compiler on plans made the way the server makes them: core's parser, then core's planner.

const context: CompileContext = { operation: 'queryTraces', table: (name) => `"p_${name}"` };
const timeRange = { from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' };
const plan = (request: Record<string, unknown>, options?: Parameters<typeof planTraceQuery>[1]) =>
  planTraceQuery(parseTraceQueryRequest({ timeRange, ...request }), options) as TrustedTraceQueryKeysetTracesPlan;
const HOSTILE = `x'); DROP TABLE "p_mastra_ai_spans"; --`;

describe('trace-query compiler', () => {
  it('reads root spans of ended traces in the time range, newest first, one row past the page', () => {
    const statement = keysetTraces(context, plan({ page: { limit: 25 } }));
    expect(statement.sql).toMatch(/FROM "p_mastra_ai_spans" AS r WHERE \(r\."parentSpanId" IS NULL\) AND \(r\."endedAt" IS NOT NULL\)/);
    expect(statement.sql).toContain('ORDER BY r."startedAt" DESC, r."traceId" ASC LIMIT ?');
    expect(statement.params).toEqual([timeRange.from, timeRange.to, 26]);
  });

  it('binds every literal and metadata key: no input reaches the SQL text', () => {
    const where = {
      op: 'and',
      args: [
        { op: 'eq', left: { path: 'threadId' }, right: { literal: HOSTILE } },
        { op: 'eq', left: { path: `metadata.${HOSTILE}` }, right: { literal: HOSTILE } },
        { op: 'in', value: { path: 'entityName' }, set: [HOSTILE, 'b'] },
        { op: 'includes', path: 'tags', value: HOSTILE },
        { spans: { some: { op: 'eq', left: { path: 'name' }, right: { literal: HOSTILE } } } },
        { scores: { none: { op: 'gt', left: { path: 'score' }, right: { literal: 0.5 } } } },
        { feedback: { some: { op: 'eq', left: { path: 'value' }, right: { literal: HOSTILE } } } },
      ],
    };
    const statement = keysetTraces(context, plan({ where }));
    expect(statement.sql).not.toContain('DROP');
    expect(statement.params.filter((p) => typeof p === 'string' && p.includes('DROP'))).toHaveLength(7);
    expect(statement.sql.split('?').length - 1).toBe(statement.params.length);
  });

  it('compiles exists-clauses over spans, scores and feedback, scoped like the root', () => {
    const where = {
      op: 'or',
      args: [
        { spans: { some: { op: 'eq', left: { path: 'spanType' }, right: { literal: 'tool_call' } } } },
        { scores: { some: { op: 'gte', left: { path: 'timestamp' }, right: { literal: '2026-01-01T01:00:00Z' } } } },
        { feedback: { none: { op: 'gt', left: { path: 'value' }, right: { literal: 3 } } } },
      ],
    };
    const scope = { organizationId: 'org-1', resourceId: 'user-1' };
    const statement = keysetTraces({ ...context, scope }, plan({ where }, { scope }));
    expect(statement.sql).toContain('EXISTS (SELECT 1 FROM "p_mastra_ai_spans" AS x WHERE (x."traceId" = r."traceId") AND (x."organizationId" = ?) AND (x."resourceId" = ?)');
    expect(statement.sql).toContain('FROM "p_mastra_score_events" AS x');
    expect(statement.sql).toContain('NOT EXISTS (SELECT 1 FROM "p_mastra_feedback_events" AS x');
    // Related fields are `+`-prefixed so SQLite finds related records by trace id, not by the field.
    expect(statement.sql).toContain('(+x."valueNumber" > ?) IS 1');
    expect(statement.sql).toContain('+x."spanType" IS ?');
    // Score and feedback timestamps are epoch milliseconds.
    expect(statement.params).toContain(Date.parse('2026-01-01T01:00:00Z'));
    expect(statement.params.filter((p) => p === 'org-1')).toHaveLength(4);
  });

  it('keeps two-valued logic, so `not` is the complement even where a value is missing', () => {
    const leaf = (field: string, op: string, value: unknown) => tracePredicate(context, { type: 'comparison', field, operator: op, value } as never).sql;
    expect(leaf('threadId', 'eq', 'a')).toBe('r."threadId" IS ?');
    expect(leaf('threadId', 'ne', 'a')).toBe('r."threadId" IS NOT ?');
    expect(leaf('durationMs', 'gt', 5)).toMatch(/^\(ROUND\(.*\) > \?\) IS 1$/);
    expect(tracePredicate(context, { type: 'membership', field: 'environment', operator: 'notIn', values: ['a'] }).sql).toContain(') IS NOT 1');
  });

  it('continues from a keyset cursor, ties broken by trace id', () => {
    const first = plan({ page: { limit: 2 }, orderBy: [{ field: 'endedAt', direction: 'asc' }] });
    const after = encodeTraceQueryCursor(first, { result: 'traces', sortValue: '2026-01-01T05:00:00.000Z', traceId: 't-5' });
    const statement = keysetTraces(context, plan({ page: { limit: 2, after }, orderBy: [{ field: 'endedAt', direction: 'asc' }] }));
    expect(statement.sql).toContain('(r."endedAt" >= ? AND (r."endedAt" > ? OR r."traceId" > ?))');
    expect(statement.sql).toContain('ORDER BY r."endedAt" ASC, r."traceId" ASC');
    expect(statement.params.slice(-4)).toEqual(['2026-01-01T05:00:00.000Z', '2026-01-01T05:00:00.000Z', 't-5', 3]);
  });

  it('sends a plan past D1\'s 100 parameters as one JSON array', () => {
    const args = Array.from({ length: 60 }, (_, i) => ({ op: 'eq', left: { path: `metadata.k${i}` }, right: { literal: `v${i}` } }));
    const statement = keysetTraces(context, plan({ where: { op: 'or', args } }));
    expect(statement.params).toHaveLength(2);
    const values = JSON.parse(statement.params[0] as string) as unknown[];
    expect(values).toHaveLength(122);
    expect(values.slice(0, 4)).toEqual([timeRange.from, timeRange.to, 'k0', 'v0']);
    expect(statement.sql).toContain(`(?1 ->> '$[121]')`);
    expect(statement.sql).toMatch(/LIMIT \?$/);
  });

  it('compiles thread plans over the eligible traces', () => {
    const request = parseQueryThreadsInput({
      traces: { timeRange, where: { op: 'eq', left: { path: 'status' }, right: { literal: 'error' } } },
      where: { traces: { none: { op: 'gt', left: { path: 'durationMs' }, right: { literal: 1000 } } } },
      page: { limit: 10 },
    });
    const statement = threads(context, planThreadQuery(request));
    expect(statement.sql).toMatch(/^WITH eligible AS \(SELECT r\.\* FROM "p_mastra_ai_spans" AS r WHERE/);
    expect(statement.sql).toContain('NOT EXISTS (SELECT 1 FROM eligible AS r WHERE (r."threadId" = t."threadId")');
    expect(statement.params).toEqual([timeRange.from, timeRange.to, 'error', 1000, 11]);
  });

  it('compiles value discovery for related records and array fields', () => {
    const values = (predicateScope: string, path: string) =>
      fieldValues(context, planTraceQueryValues(parseGetTraceQueryValuesArgs({ timeRange, predicateScope, path, search: 'ab' })));
    expect(values('spans', 'model').sql).toContain(`FROM "p_mastra_ai_spans" AS x WHERE x."traceId" IN (SELECT r."traceId"`);
    expect(values('trace', 'tags').sql).toContain(`json_each(r."tags") AS j`);
    expect(values('trace', 'metadata.team').params).toEqual(['team', timeRange.from, timeRange.to, 'ab', 26]);
  });

  it('refuses a plan core would not make, as a USER error', () => {
    const forged = { ...plan({}), where: { type: 'comparison', field: 'constructor', operator: 'eq', value: 'x' } } as unknown as TrustedTraceQueryPlan;
    const error = (() => {
      try {
        keysetTraces(context, forged as TrustedTraceQueryKeysetTracesPlan);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MastraError);
    expect((error as MastraError).category).toBe('USER');
  });
});
