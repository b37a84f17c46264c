import { EntityType, SpanType } from '@mastra/core/observability';
import type { CreateSpanRecord } from '@mastra/core/storage';

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
