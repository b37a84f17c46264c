import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Mastra } from '@mastra/core/mastra';
import { MastraCompositeStore } from '@mastra/core/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Package from '../../src';
import { CLIENT_KINDS, uniquePrefix, useHarness } from '../support/harness';

const h = useHarness();
const root = resolve(import.meta.dirname, '../..');

/** Newest modification time under a folder, to tell whether `dist` is older than `src`. */
function newest(path: string): number {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const run = (command: string, args: string[], cwd: string) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let work: string;
let files: string[];
let installed: string;

// `npm pack` ships what `npm run build` left in dist/, so build first when dist/ is missing or stale
// (CI builds right before the tests, so there this is a no-op).
beforeAll(() => {
  if (newest(join(root, 'dist/index.js')) < newest(join(root, 'src'))) run('npm', ['run', 'build', '--silent'], root);
  work = mkdtempSync(join(tmpdir(), 'mcd1-pack-'));
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], root)) as { filename: string; files: { path: string }[] }[];
  files = packed!.files.map((f) => f.path).sort();

  // Install the tarball the way npm would lay it out, its dependencies linked from this checkout.
  const modules = join(work, 'node_modules');
  mkdirSync(modules);
  run('tar', ['-xzf', join(work, packed!.filename), '-C', modules], work);
  installed = join(modules, 'mastra-cloudflare-d1');
  renameSync(join(modules, 'package'), installed);
  for (const dependency of ['@mastra', 'zod']) symlinkSync(join(root, 'node_modules', dependency), join(modules, dependency));
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the npm pack tarball', () => {
  it('ships the ESM and CJS builds with their types, and no sources or tests', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']));
    expect(files.filter((f) => /^(src|test|bench|examples)\//.test(f))).toEqual([]);
  });

  it('exports D1Store and the domain classes from its CJS entry', () => {
    const cjs = createRequire(join(work, 'index.js'))('mastra-cloudflare-d1') as typeof Package;
    expect(typeof cjs.D1Store).toBe('function');
    expect(Object.keys(cjs)).toEqual(expect.arrayContaining(['D1Store', 'MemoryStorageD1', 'WorkflowsStorageD1', 'ScoresStorageD1', 'ObservabilityStorageD1']));
    expect(new cjs.D1Store({ id: 'cjs', binding: h.d1.db }).disableInit).toBe(false);
  });

  describe.each(CLIENT_KINDS)('its D1Store built with the %s config', (kind) => {
    it('is accepted by new Mastra({ storage }), which initializes it on first use', async () => {
      const esm = (await import(pathToFileURL(join(installed, 'dist/index.js')).href)) as typeof Package;
      const prefix = uniquePrefix('pack');
      const storage = new esm.D1Store({ id: `pack-${kind}`, tablePrefix: prefix, ...h.connection(kind) } as Package.D1StoreConfig);
      expect(storage).toBeInstanceOf(MastraCompositeStore);

      const mastra = new Mastra({ storage, logger: false });
      const memory = await mastra.getStorage()!.getStore('memory');
      expect(memory).toBeInstanceOf(esm.MemoryStorageD1);

      const { results } = await h.d1.db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name = ?")
        .bind(`${prefix}mastra_threads`)
        .all();
      expect(results).toHaveLength(1);
    });
  });
});
