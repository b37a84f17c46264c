import type { D1Database } from '@cloudflare/workers-types/experimental';
import { Agent } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import { Memory } from '@mastra/memory';
import { z } from 'zod';
import { recallModel } from './recall-model';

/** The Worker's bindings and variables (see wrangler.toml). */
export interface Env {
  DB: D1Database;
  /** Optional: a Mastra model router id such as `openai/gpt-4o-mini`; unset means the local recall model. */
  MODEL?: string;
  /** Optional: the provider's API key for `MODEL` (set it with `wrangler secret put MODEL_API_KEY`). */
  MODEL_API_KEY?: string;
}

/**
 * What the agent keeps about each user. A schema (rather than a Markdown template) because Mastra
 * validates a template's tool input with Ajv, which compiles code at runtime and workerd forbids that.
 */
const workingMemorySchema = z.object({ name: z.string().optional(), city: z.string().optional() });

/** The local model unless the deployment names a real provider model. */
function modelFor(env: Env): MastraModelConfig {
  if (!env.MODEL) return recallModel();
  return { id: env.MODEL as `${string}/${string}`, apiKey: env.MODEL_API_KEY };
}

/** An assistant whose memory (thread history and working memory) lives in the Mastra storage, i.e. D1. */
export function createAssistant(env: Env): Agent {
  return new Agent({
    id: 'assistant',
    name: 'assistant',
    instructions: 'You are a friendly assistant. Remember what the user tells you about themselves.',
    model: modelFor(env),
    memory: new Memory({
      options: {
        lastMessages: 20,
        workingMemory: { enabled: true, scope: 'resource', schema: workingMemorySchema },
      },
    }),
  });
}
