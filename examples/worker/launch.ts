import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { D1Store, type D1DatabaseLike } from '../../src';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The settings the example shares with a real deployment, read from its wrangler.toml. */
async function wranglerSettings(): Promise<{ compatibilityDate: string; compatibilityFlags: string[] }> {
  const toml = await readFile(here('./wrangler.toml'), 'utf8');
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1];
  if (!date || flags === undefined) throw new Error('examples/worker/wrangler.toml lacks compatibility_date or compatibility_flags');
  return { compatibilityDate: date, compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1]!) };
}

/** A module of the bundled Worker, as Miniflare takes it. */
export interface WorkerModule {
  type: 'ESModule' | 'CompiledWasm';
  path: string;
  contents: string | Uint8Array;
}

/**
 * Bundles the Worker as wrangler would: ES module, Workers export conditions, Node built-ins left to
 * workerd (which provides them under `nodejs_compat`), and `.wasm` imports kept as WebAssembly modules.
 */
export async function bundleWorker(): Promise<WorkerModule[]> {
  const wasm = new Map<string, string>();
  const result = await build({
    entryPoints: [here('./src/index.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    logLevel: 'error',
    plugins: [
      {
        // esbuild cannot turn a CommonJS `require('fs')` of an external into an ES import, so such
        // requires go through a tiny module that imports the built-in (what wrangler does too).
        name: 'node-builtins-from-require',
        setup(builder) {
          const builtins = new RegExp(`^(node:)?(${builtinModules.map((m) => m.replace(/[/]/g, '\\/')).join('|')})$`);
          builder.onResolve({ filter: builtins }, (args) =>
            args.kind === 'require-call' ? { path: args.path, namespace: 'node-builtin' } : { path: args.path, external: true },
          );
          builder.onLoad({ filter: /.*/, namespace: 'node-builtin' }, (args) => ({
            contents: `import builtin from 'node:${args.path.replace(/^node:/, '')}'; module.exports = builtin;`,
            loader: 'js',
          }));
        },
      },
      {
        name: 'wasm-modules',
        setup(builder) {
          builder.onResolve({ filter: /\.wasm$/ }, (args) => {
            const name = `wasm-${wasm.size}-${basename(args.path)}`;
            wasm.set(name, resolve(args.resolveDir, args.path));
            return { path: `./${name}`, external: true };
          });
        },
      },
    ],
  });
  const wasmModules = await Promise.all(
    [...wasm].map(async ([name, file]) => ({ type: 'CompiledWasm' as const, path: here(`./${name}`), contents: await readFile(file) })),
  );
  return [{ type: 'ESModule', path: here('./worker.js'), contents: result.outputFiles[0]!.text }, ...wasmModules];
}

/** A running copy of the example Worker. */
export interface ExampleWorker {
  /** The Worker's address, on 127.0.0.1. */
  url: URL;
  /** Its D1 database, for looking at what the Worker stored. */
  db: D1DatabaseLike;
  dispose(): Promise<void>;
}

/**
 * Starts the bundled Worker on Miniflare (workerd, the runtime Cloudflare runs) on a random port of
 * 127.0.0.1, with a local D1 kept under `persistDir`, so a restarted Worker finds the same data.
 */
export async function startWorker(modules: WorkerModule[], persistDir: string): Promise<ExampleWorker> {
  const mf = new Miniflare({
    modules,
    modulesRoot: here('.'),
    ...(await wranglerSettings()),
    d1Databases: { DB: 'example' },
    d1Persist: persistDir,
    host: '127.0.0.1',
    port: 0,
    cf: false,
  });
  const url = await mf.ready;
  const db = (await mf.getD1Database('DB')) as unknown as D1DatabaseLike;
  return { url, db, dispose: () => mf.dispose() };
}

/** One chat turn, over HTTP. */
export async function chat(worker: ExampleWorker, body: { message: string; threadId: string; resourceId: string }): Promise<string> {
  const response = await fetch(new URL('/chat', worker.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST /chat answered ${response.status}: ${text}`);
  return (JSON.parse(text) as { reply: string }).reply;
}

/** Every table in the database with its row count, in one batch. */
export async function tableCounts(db: D1DatabaseLike): Promise<{ table: string; rows: number }[]> {
  const { results = [] } = await db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name")
    .all();
  const names = (results as { name: string }[]).map((row) => row.name);
  if (names.length === 0) return [];
  const counts = await db.batch(names.map((name) => db.prepare(`SELECT COUNT(*) AS n FROM "${name.replaceAll('"', '""')}"`)));
  return names.map((table, i) => ({ table, rows: Number((counts[i]!.results![0] as { n: number }).n) }));
}

/** A user's working memory as stored in D1, read straight from the table. */
export async function workingMemoryOf(db: D1DatabaseLike, resourceId: string): Promise<string | null> {
  const { results = [] } = await db.prepare('SELECT workingMemory FROM mastra_resources WHERE id = ?').bind(resourceId).all();
  return (results[0] as { workingMemory: string | null } | undefined)?.workingMemory ?? null;
}

/** One traced run as the observability domain reads it back. */
export interface TraceSummary {
  name: string;
  status: string;
  spans: number;
}

/**
 * The traces the Worker stored, read back from Node through this package (`listTraces`, `getTrace`),
 * the way Mastra Studio reads them.
 */
export async function traceSummaries(db: D1DatabaseLike): Promise<TraceSummary[]> {
  const observability = (await new D1Store({ id: 'example-reader', binding: db, disableInit: true }).getStore('observability'))!;
  const { spans: roots } = await observability.listTraces({ orderBy: { field: 'startedAt', direction: 'ASC' } });
  return Promise.all(
    roots.map(async (root) => {
      const trace = await observability.getTrace({ traceId: root.traceId });
      return { name: root.name, status: String(root.status), spans: trace?.spans.length ?? 0 };
    }),
  );
}
