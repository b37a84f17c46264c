import { bundleWorker, chat, startWorker, tableCounts, traceSummaries, workingMemoryOf, type ExampleWorker, type TraceSummary } from './launch';

/** The user the demo talks as (Mastra's `resourceId`). */
export const DEMO_RESOURCE = 'ada';

/** What the user says, in order; the Worker is restarted before the turn marked `afterRestart`. */
export const DEMO_TURNS = [
  { threadId: 'chat-1', message: 'Hi! My name is Ada.' },
  { threadId: 'chat-1', message: 'I live in Lisbon.' },
  { threadId: 'chat-1', message: 'What is my name, and where do I live?', afterRestart: true },
  { threadId: 'chat-2', message: 'What do you know about me?' },
] as const;

/** Something the demo did, for the caller to print or check. */
export type DemoEvent =
  | { kind: 'bundled'; bytes: number }
  | { kind: 'started'; url: string; restart: boolean }
  | { kind: 'turn'; threadId: string; message: string; reply: string };

/** The replies, and what D1 held at the end. */
export interface DemoResult {
  replies: string[];
  tables: { table: string; rows: number }[];
  /** The user's working memory as the agent saved it (the `mastra_resources` row). */
  workingMemory: string | null;
  /** The agent runs' traces, read back through the observability domain. */
  traces: TraceSummary[];
}

/**
 * Bundles the example Worker, starts it with a D1 kept under `persistDir`, and holds the demo
 * conversation over HTTP. Before the recall question it stops the Worker and starts a new one on the
 * same database, so nothing but D1 can carry the memory across.
 */
export async function runDemo(persistDir: string, onEvent: (event: DemoEvent) => void = () => {}): Promise<DemoResult> {
  const modules = await bundleWorker();
  onEvent({ kind: 'bundled', bytes: modules.reduce((sum, m) => sum + m.contents.length, 0) });

  let worker: ExampleWorker | undefined;
  const replies: string[] = [];
  try {
    for (const turn of DEMO_TURNS) {
      const restart = 'afterRestart' in turn && worker !== undefined;
      if (!worker || restart) {
        await worker?.dispose();
        worker = await startWorker(modules, persistDir);
        onEvent({ kind: 'started', url: String(worker.url), restart });
      }
      const reply = await chat(worker, { message: turn.message, threadId: turn.threadId, resourceId: DEMO_RESOURCE });
      replies.push(reply);
      onEvent({ kind: 'turn', threadId: turn.threadId, message: turn.message, reply });
    }
    const { db } = worker!;
    return { replies, tables: await tableCounts(db), workingMemory: await workingMemoryOf(db, DEMO_RESOURCE), traces: await traceSummaries(db) };
  } finally {
    await worker?.dispose();
  }
}
