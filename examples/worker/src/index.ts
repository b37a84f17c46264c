import { Mastra } from '@mastra/core';
import { MastraStorageExporter, Observability } from '@mastra/observability';
// In your own Worker: import { D1Store } from 'mastra-cloudflare-d1';
import { D1Store } from '../../../src';
import { createAssistant, type Env } from './agent';

interface ChatRequest {
  message: string;
  threadId: string;
  resourceId: string;
}

function parseChat(body: unknown): ChatRequest | undefined {
  const { message, threadId, resourceId } = (body ?? {}) as Partial<ChatRequest>;
  const ok = [message, threadId, resourceId].every((v) => typeof v === 'string' && v.length > 0);
  return ok ? { message: message!, threadId: threadId!, resourceId: resourceId! } : undefined;
}

/**
 * `POST /chat` with `{ message, threadId, resourceId }` answers `{ reply }`.
 * Everything is built per request: the Worker keeps no state, so whatever the agent remembers
 * between requests came back from D1.
 */
export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (request.method !== 'POST' || url.pathname !== '/chat') return new Response('POST /chat', { status: 404 });

    const chat = parseChat(await request.json().catch(() => undefined));
    if (!chat) return Response.json({ error: 'expected { message, threadId, resourceId } strings' }, { status: 400 });

    const traces = new MastraStorageExporter();
    const mastra = new Mastra({
      storage: new D1Store({ id: 'example', binding: env.DB }),
      agents: { assistant: createAssistant(env) },
      observability: new Observability({ configs: { default: { serviceName: 'mastra-d1-example', exporters: [traces] } } }),
      logger: false,
    });
    const result = await mastra.getAgent('assistant').generate(chat.message, {
      memory: { thread: chat.threadId, resource: chat.resourceId },
    });
    // Spans are exported in the background. Flushing before answering puts the run's trace in D1 by the
    // time the reply arrives; `ctx.waitUntil(traces.flush())` would answer sooner.
    await traces.flush();
    return Response.json({ reply: result.text });
  },
};
