// `npm run example`: the example Worker on a local workerd (Miniflare) with a local D1, one short
// conversation over HTTP on 127.0.0.1, then what D1 holds. Offline; stops by itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo, type DemoEvent } from './demo';

const DEADLINE_MS = 120_000;

function print(event: DemoEvent): void {
  switch (event.kind) {
    case 'bundled':
      console.log(`Bundled examples/worker with esbuild (${(event.bytes / 1e6).toFixed(1)} MB, unminified).`);
      break;
    case 'started':
      console.log(
        event.restart
          ? `-- Worker stopped. A new one is running at ${event.url} on the same D1 database; nothing else survived. --\n`
          : `Worker running on workerd at ${event.url} with a local D1 database bound as DB.\n`,
      );
      break;
    case 'turn':
      console.log(`[${event.threadId}] user:      ${event.message}`);
      console.log(`[${event.threadId}] assistant: ${event.reply}\n`);
      break;
  }
}

async function main(): Promise<void> {
  process.env.MASTRA_TELEMETRY_DISABLED ??= '1';
  const deadline = setTimeout(() => {
    console.error(`The example did not finish within ${DEADLINE_MS / 1000} s.`);
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();

  const dir = await mkdtemp(join(tmpdir(), 'mastra-d1-example-'));
  try {
    const { tables, workingMemory, traces } = await runDemo(dir, print);
    console.log(`Working memory the agent saved (mastra_resources, id 'ada'): ${workingMemory ?? '(none)'}\n`);
    console.log('Traces of the agent runs, read back with listTraces and getTrace:');
    for (const trace of traces) console.log(`  ${trace.name}  ${trace.status}  ${trace.spans} spans`);
    console.log('\nD1 now holds (table: rows):');
    const width = Math.max(...tables.map(({ table }) => table.length));
    for (const { table, rows } of tables) console.log(`  ${table.padEnd(width)}  ${String(rows).padStart(3)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
