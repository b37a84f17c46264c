import type { SaveScorePayload } from '@mastra/core/evals';

/** A valid score payload; `overrides` replace fields. */
export function scorePayload(overrides: Partial<SaveScorePayload> = {}): SaveScorePayload {
  return {
    scorerId: 'relevance',
    entityId: 'agent-1',
    entityType: 'AGENT',
    runId: 'run-1',
    source: 'LIVE',
    score: 0.75,
    reason: 'close enough',
    input: [{ role: 'user', content: 'hi' }],
    output: { text: 'hello', ok: true },
    scorer: { id: 'relevance', name: 'Relevance' },
    entity: { id: 'agent-1', name: 'Agent' },
    metadata: { tag: 'x', nested: { n: null } },
    ...overrides,
  } as SaveScorePayload;
}
