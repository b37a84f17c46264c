import type { MastraDBMessage } from '@mastra/core/agent';
import type { WorkflowRunState } from '@mastra/core/workflows';
import type { StorageThreadType } from '@mastra/core/memory';

let counter = 0;
/** An id unique within the test run, readable in failure output. */
export function uid(label: string): string {
  counter += 1;
  return `${label}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

const BASE = Date.UTC(2026, 0, 1);

/** A thread with metadata, created at a fixed instant so orderings are deterministic. */
export function newThread(overrides: Partial<StorageThreadType> = {}): StorageThreadType {
  return {
    id: uid('thread'),
    resourceId: 'resource-1',
    title: 'a thread',
    metadata: { topic: 'reliability', n: 1 },
    createdAt: new Date(BASE),
    updatedAt: new Date(BASE),
    ...overrides,
  };
}

/** One text message; `i` orders it (one millisecond apart). */
export function newMessage(thread: Pick<StorageThreadType, 'id' | 'resourceId'>, i: number, text = `message ${i}`): MastraDBMessage {
  return {
    id: uid(`m${i}`),
    role: i % 2 === 0 ? 'user' : 'assistant',
    threadId: thread.id,
    resourceId: thread.resourceId,
    createdAt: new Date(BASE + 1000 + i),
    type: 'v2',
    content: { format: 2, parts: [{ type: 'text', text }] },
  } as MastraDBMessage;
}

/** `count` messages for a thread, in order. */
export function newMessages(thread: Pick<StorageThreadType, 'id' | 'resourceId'>, count: number, text?: (i: number) => string): MastraDBMessage[] {
  return Array.from({ length: count }, (_, i) => newMessage(thread, i, text?.(i)));
}

/** The text of a stored message as the store returned it. */
export function textOf(message: MastraDBMessage): string {
  const part = message.content.parts.find((p) => p.type === 'text') as { text: string } | undefined;
  return part?.text ?? '';
}

/** A workflow snapshot as core shapes it; `extra` lands in the step context. */
export function newSnapshot(runId: string, status: WorkflowRunState['status'] = 'running', extra: Record<string, unknown> = {}): WorkflowRunState {
  return {
    runId,
    status,
    value: {},
    context: { input: { start: true }, ...extra } as unknown as WorkflowRunState['context'],
    serializedStepGraph: [],
    activePaths: [],
    activeStepsPath: {},
    suspendedPaths: {},
    resumeLabels: {},
    waitingPaths: {},
    timestamp: BASE,
  };
}

/**
 * Text of exactly `bytes` UTF-8 bytes mixing ASCII, two-, three- and four-byte characters, quotes and
 * backslashes, so any re-encoding or truncation on the way shows up as a mismatch.
 */
export function bigText(bytes: number): string {
  const unit = 'abc"\\\'é€🙂 \t';
  const unitBytes = new TextEncoder().encode(unit).byteLength;
  const text = unit.repeat(Math.floor(bytes / unitBytes));
  return text + 'x'.repeat(bytes - new TextEncoder().encode(text).byteLength);
}
