import { EntityType, SpanType } from '@mastra/core/observability';
import type { CreateSpanRecord } from '@mastra/core/storage';
import type { D1DatabaseLike } from '../../src/client/types';

const BASE_TIME = Date.parse('2026-01-01T00:00:00.000Z');

/** A date `seconds` after a fixed base, so tests order spans deterministically. */
export const at = (seconds: number): Date => new Date(BASE_TIME + seconds * 1000);

/** A span record with defaults for the required fields; `overrides` wins. */
export function span(overrides: Partial<CreateSpanRecord> & { traceId: string; spanId: string }): CreateSpanRecord {
  return {
    name: `span ${overrides.spanId}`,
    spanType: SpanType.GENERIC,
    isEvent: false,
    startedAt: at(0),
    parentSpanId: null,
    ...overrides,
  };
}

/** A root agent run with one child model call and one tool call, ended unless `running`. */
export function agentTrace(traceId: string, start: number, extra: Partial<CreateSpanRecord> = {}, running = false): CreateSpanRecord[] {
  const endedAt = running ? null : at(start + 10);
  return [
    span({ traceId, spanId: `${traceId}-root`, spanType: SpanType.AGENT_RUN, entityType: EntityType.AGENT, entityId: 'agent-1', entityName: 'Agent One', startedAt: at(start), endedAt, ...extra }),
    span({ traceId, spanId: `${traceId}-llm`, parentSpanId: `${traceId}-root`, spanType: SpanType.MODEL_GENERATION, startedAt: at(start + 1), endedAt: at(start + 5) }),
    span({ traceId, spanId: `${traceId}-tool`, parentSpanId: `${traceId}-root`, spanType: SpanType.TOOL_CALL, entityType: EntityType.TOOL, entityId: 'tool-1', startedAt: at(start + 6), endedAt: at(start + 7) }),
  ];
}

/** A binding that counts round trips (one per `all()` or `batch()`) and the statements sent. */
export function countingBinding(db: D1DatabaseLike): { binding: D1DatabaseLike; roundTrips: () => number; statements: () => number; reset: () => void } {
  let roundTrips = 0;
  let statements = 0;
  const binding: D1DatabaseLike = {
    prepare(query) {
      const wrap = (stmt: ReturnType<D1DatabaseLike['prepare']>): ReturnType<D1DatabaseLike['prepare']> => ({
        bind: (...values) => wrap(stmt.bind(...values)),
        all: () => {
          roundTrips += 1;
          statements += 1;
          return stmt.all();
        },
        // The batch hands these back to the real binding, which needs its own statement objects.
        unwrap: () => stmt,
      }) as ReturnType<D1DatabaseLike['prepare']>;
      return wrap(db.prepare(query));
    },
    batch(list) {
      roundTrips += 1;
      statements += list.length;
      return db.batch(list.map((s) => (s as unknown as { unwrap: () => typeof s }).unwrap()));
    },
  };
  return { binding, roundTrips: () => roundTrips, statements: () => statements, reset: () => ((roundTrips = 0), (statements = 0)) };
}

const NOISE = new Set(['createdAt', 'updatedAt', 'deltaCursor']);

/**
 * A value with store-specific noise removed: db timestamps, the in-memory store's delta cursor (a
 * feature D1Store does not claim), and null/undefined fields, because core's in-memory store keeps
 * fields a caller never set as absent where SQL stores read NULL.
 */
export function comparable<T>(value: T): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key, v]) => v !== null && v !== undefined && !NOISE.has(key))
        .map(([key, v]) => [key, comparable(v)]),
    );
  }
  return value;
}
