/**
 * A tiny deterministic language model (AI SDK LanguageModelV2) that needs no API key and no network.
 * It knows nothing by itself: every answer is built from the prompt Mastra hands it, i.e. from the
 * thread history and working memory that `Memory` loaded from D1. That makes the recall visible.
 */

type TextPart = { type: 'text'; text: string };
type PromptMessage =
  | { role: 'system'; content: string }
  | { role: 'user' | 'assistant' | 'tool'; content: Array<TextPart | { type: string }> };
type FunctionTool = { type: string; name: string };
type CallOptions = { prompt: PromptMessage[]; tools?: FunctionTool[] };

type Reply = { kind: 'text'; text: string } | { kind: 'tool-call'; toolName: string; input: string };

const WORKING_MEMORY_TOOL = 'updateWorkingMemory';

/** What the model can pick up from what the user says, and how it repeats it back. */
const FACTS = [
  { field: 'name', pattern: /\bmy name is ([\p{L}'-]+)/iu, phrase: (v: string) => `your name is ${v}` },
  { field: 'city', pattern: /\bI live in ([\p{L}' -]+?)\s*[.!]*$/iu, phrase: (v: string) => `you live in ${v}` },
] as const;

/** The facts the model knows about, keyed as in the agent's working-memory schema. */
export type Facts = Partial<Record<(typeof FACTS)[number]['field'], string>>;

function textOf(message: PromptMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content
    .filter((part): part is TextPart => part.type === 'text')
    .map((part) => part.text)
    .join(' ');
}

function factsIn(text: string): Facts {
  const facts: Facts = {};
  for (const { field, pattern } of FACTS) {
    const match = pattern.exec(text);
    if (match) facts[field] = match[1]!.trim();
  }
  return facts;
}

/** Reads the working memory (JSON, per the agent's schema) that Mastra puts in the system prompt. */
function workingMemoryIn(system: string): Facts {
  const data = /<working_memory_data>\s*([\s\S]*?)\s*<\/working_memory_data>/.exec(system)?.[1];
  if (!data) return {};
  try {
    const parsed = JSON.parse(data) as Record<string, unknown>;
    return Object.fromEntries(FACTS.filter(({ field }) => typeof parsed[field] === 'string').map(({ field }) => [field, parsed[field]]));
  } catch {
    // Before the first save Mastra shows an empty template, which is not JSON: nothing remembered yet.
    return {};
  }
}

/** Whether the working-memory tool call of this step succeeded. */
function toolSucceeded(message: PromptMessage | undefined): boolean {
  if (message?.role !== 'tool') return false;
  return message.content.every((part) => !('output' in part) || !String((part.output as { type?: string })?.type).startsWith('error'));
}

const sentence = (facts: Facts) =>
  FACTS.filter(({ field }) => facts[field])
    .map(({ field, phrase }) => phrase(facts[field]!))
    .join(' and ');

/** Decides the next step from the prompt alone. */
export function respond({ prompt, tools = [] }: CallOptions): Reply {
  const system = prompt.filter((m) => m.role === 'system').map(textOf).join('\n');
  const lastUser = prompt.map((m) => m.role).lastIndexOf('user');
  const question = lastUser >= 0 ? textOf(prompt[lastUser]!) : '';
  const history = prompt.slice(0, Math.max(lastUser, 0)).filter((m) => m.role === 'user' || m.role === 'assistant');
  const remembered = workingMemoryIn(system);
  const told = history.filter((m) => m.role === 'user').reduce<Facts>((all, m) => ({ ...all, ...factsIn(textOf(m)) }), {});
  const seen = `(${history.length} earlier message${history.length === 1 ? '' : 's'} of this thread reached me.)`;

  const news = factsIn(question);
  const toolResultArrived = prompt.at(-1)?.role === 'tool';
  if (Object.keys(news).length > 0) {
    const canSave = tools.some((tool) => tool.name === WORKING_MEMORY_TOOL);
    if (canSave && !toolResultArrived) {
      return { kind: 'tool-call', toolName: WORKING_MEMORY_TOOL, input: JSON.stringify({ memory: news }) };
    }
    const saved = toolSucceeded(prompt.at(-1)) ? ' I saved it to my working memory.' : '';
    return { kind: 'text', text: `Noted: ${sentence(news)}.${saved} ${seen}` };
  }

  if (Object.keys(told).length > 0) return { kind: 'text', text: `You told me ${sentence(told)}. ${seen}` };
  if (Object.keys(remembered).length > 0) {
    return { kind: 'text', text: `This thread is new to me, but my working memory says ${sentence(remembered)}. ${seen}` };
  }
  return { kind: 'text', text: `I don't know anything about you yet. Tell me your name? ${seen}` };
}

let callCounter = 0;

type Usage = { inputTokens: number; outputTokens: number; totalTokens: number };
type StreamPart =
  | { type: 'stream-start'; warnings: [] }
  | { type: 'response-metadata'; id: string; modelId: string; timestamp: Date }
  | { type: 'text-start' | 'text-end'; id: string }
  | { type: 'text-delta'; id: string; delta: string }
  | { type: 'tool-call'; toolCallId: string; toolName: string; input: string }
  | { type: 'finish'; usage: Usage; finishReason: 'stop' | 'tool-calls' };

const NO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

/** Streams a reply the way a provider would: start, one text or tool-call part, finish. */
function toStream(reply: Reply): ReadableStream<StreamPart> {
  const id = `recall-${++callCounter}`;
  const parts: StreamPart[] = [
    { type: 'stream-start', warnings: [] },
    { type: 'response-metadata', id, modelId: 'recall', timestamp: new Date() },
  ];
  if (reply.kind === 'text') {
    parts.push({ type: 'text-start', id }, { type: 'text-delta', id, delta: reply.text }, { type: 'text-end', id });
  } else {
    parts.push({ type: 'tool-call', toolCallId: id, toolName: reply.toolName, input: reply.input });
  }
  parts.push({ type: 'finish', usage: NO_USAGE, finishReason: reply.kind === 'text' ? 'stop' : 'tool-calls' });
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
}

/** The model object to pass as an Agent's `model`. */
export function recallModel() {
  return {
    specificationVersion: 'v2' as const,
    provider: 'local',
    modelId: 'recall',
    supportedUrls: {},
    async doGenerate(options: CallOptions) {
      const reply = respond(options);
      const content =
        reply.kind === 'text'
          ? [{ type: 'text' as const, text: reply.text }]
          : [{ type: 'tool-call' as const, toolCallId: `recall-${++callCounter}`, toolName: reply.toolName, input: reply.input }];
      return {
        content,
        finishReason: reply.kind === 'text' ? ('stop' as const) : ('tool-calls' as const),
        usage: NO_USAGE,
        warnings: [],
      };
    },
    async doStream(options: CallOptions) {
      return { stream: toStream(respond(options)) };
    },
  };
}
