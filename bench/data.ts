/**
 * Realistic Mastra records for the workloads: deterministic, so every run and both packages
 * see the same bytes.
 */
import type { MastraDBMessage } from '@mastra/core/agent';
import type { SaveScorePayload } from '@mastra/core/evals';
import type { StorageThreadType } from '@mastra/core/memory';
import type { CreateSpanRecord } from '@mastra/core/storage';
import type { WorkflowRunState } from '@mastra/core/workflows';

const WORDS = (
  'the agent reads the thread and answers with a short plan then calls a tool to fetch weather data ' +
  'for the city the user asked about and summarises the result in two sentences with a friendly tone ' +
  'including temperature wind humidity and a suggestion for what to wear tomorrow morning'
).split(' ');

/** Prose of roughly `length` characters, varied by `seed`. */
export function prose(seed: number, length: number): string {
  let text = '';
  for (let i = 0; text.length < length; i++) text += `${WORDS[(seed * 7 + i * 13) % WORDS.length]} `;
  return text.slice(0, length).trimEnd();
}

const BASE_TIME = Date.UTC(2026, 0, 1);
/** A timestamp `seconds` after a fixed origin. */
export const at = (seconds: number) => new Date(BASE_TIME + seconds * 1000);

/** A thread as `@mastra/memory` creates one. */
export function thread(id: string, resourceId: string, i = 0): StorageThreadType {
  return {
    id,
    resourceId,
    title: `Conversation ${i}: ${prose(i, 40)}`,
    metadata: { channel: 'web', locale: 'en-US', index: i },
    createdAt: at(i),
    updatedAt: at(i * 3 + 1),
  };
}

/**
 * `count` alternating user/assistant messages in format v2, one second apart from `startSecond`,
 * 80 to 600 characters each, like a chat history.
 */
export function messages(threadId: string, resourceId: string, count: number, startSecond = 0, idPrefix = 'm'): MastraDBMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const n = startSecond + i;
    const role = i % 2 === 0 ? 'user' : 'assistant';
    return {
      id: `${threadId}-${idPrefix}${String(n).padStart(5, '0')}`,
      threadId,
      resourceId,
      role,
      type: 'v2',
      createdAt: at(n),
      content: { format: 2, parts: [{ type: 'text', text: prose(n, role === 'user' ? 80 + (n % 5) * 30 : 250 + (n % 7) * 50) }] },
    } satisfies MastraDBMessage;
  });
}

/** A workflow run snapshot of about `bytes` bytes of JSON, as the default engine persists it. */
export function snapshot(runId: string, status: WorkflowRunState['status'], bytes: number): WorkflowRunState {
  const steps: Record<string, unknown> = {};
  const base = {
    runId,
    status,
    value: {},
    context: steps,
    activePaths: [0],
    activeStepsPath: {},
    serializedStepGraph: [],
    suspendedPaths: {},
    waitingPaths: {},
    resumeLabels: {},
    timestamp: at(0).getTime(),
  };
  steps.input = { city: 'Lisbon', days: 3 };
  for (let i = 0; JSON.stringify(base).length < bytes; i++) {
    steps[`step-${i}`] = { status: 'success', payload: { i }, output: { text: prose(i, 900) }, startedAt: at(i).getTime(), endedAt: at(i + 1).getTime() };
  }
  return base as unknown as WorkflowRunState;
}

/** A score as a scorer run writes it. */
export function score(runId: string, i: number): SaveScorePayload {
  return {
    scorerId: 'answer-relevancy',
    entityId: 'weather-agent',
    entityType: 'AGENT',
    runId,
    source: 'LIVE',
    score: (i % 10) / 10,
    reason: prose(i, 200),
    input: { question: prose(i + 1, 120) },
    output: { answer: prose(i + 2, 300) },
    scorer: { id: 'answer-relevancy', name: 'Answer relevancy' },
    entity: { id: 'weather-agent', name: 'Weather agent' },
    traceId: `trace-${i}`,
    spanId: `span-${i}`,
  } as SaveScorePayload;
}

/**
 * `traces` traces of `perTrace` spans each: one agent_run root, then model and tool spans under it,
 * with inputs and outputs of chat size.
 */
export function spans(traces: number, perTrace: number, tracePrefix = 't'): CreateSpanRecord[] {
  const records: CreateSpanRecord[] = [];
  for (let t = 0; t < traces; t++) {
    const traceId = `${tracePrefix}${String(t).padStart(4, '0')}`.padEnd(32, '0');
    for (let s = 0; s < perTrace; s++) {
      const spanId = `${t}-${s}`.padStart(16, '0');
      const start = t * 60 + s;
      records.push({
        traceId,
        spanId,
        parentSpanId: s === 0 ? null : `${t}-0`.padStart(16, '0'),
        name: s === 0 ? 'agent run: weather-agent' : s % 2 ? "llm: 'gpt-4o-mini'" : 'tool: get-weather',
        spanType: (s === 0 ? 'agent_run' : s % 2 ? 'model_generation' : 'tool_call') as CreateSpanRecord['spanType'],
        isEvent: false,
        entityType: 'agent' as CreateSpanRecord['entityType'],
        entityId: 'weather-agent',
        entityName: 'weather-agent',
        resourceId: `user-${t % 10}`,
        threadId: `thread-${t}`,
        environment: 'production',
        serviceName: 'bench',
        startedAt: at(start),
        endedAt: at(start + 1),
        attributes: { model: 'gpt-4o-mini', usage: { inputTokens: 420, outputTokens: 96 } },
        metadata: { runId: `run-${t}` },
        input: { messages: [{ role: 'user', content: prose(start, 200) }] },
        output: { text: prose(start + 1, 400) },
      });
    }
  }
  return records;
}
