import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Mastra } from '@mastra/core/mastra';
import { MastraCompositeStore } from '@mastra/core/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Package from '../../src';
import * as domainClasses from '../../src/domains/all';
import { CLIENT_KINDS, uniquePrefix, useHarness } from '../support/harness';

const h = useHarness();
const root = resolve(import.meta.dirname, '../..');

const run = (command: string, args: string[], cwd: string) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Everything a user sees: the store, its configs, the client types for a custom client, the errors, the domain classes. */
const PUBLIC_API = [
  'D1BaseConfig',
  'D1Client',
  'D1ClientConfig',
  'D1Config',
  'D1DatabaseLike',
  'D1DomainConfig',
  'D1FailureKind',
  'D1QueryError',
  'D1QueryResult',
  'D1Store',
  'D1StoreConfig',
  'D1Value',
  'D1WorkersConfig',
  'RetryPolicy',
  'schemaSql',
  ...Object.keys(domainClasses),
];

let work: string;
let files: string[];
let installed: string;

// Packs a copy of the sources without dist/, as a fresh clone is: the tarball's dist/ must come from
// the `prepack` build, and the shared dist/ of this checkout is left alone.
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'mcd1-pack-'));
  const source = join(work, 'source');
  for (const entry of ['package.json', 'README.md', 'tsconfig.json', 'tsup.config.ts', 'src']) cpSync(join(root, entry), join(source, entry), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(source, 'node_modules'));
  run('npm', ['pack', '--pack-destination', work], source);
  const tarball = join(work, readdirSync(work).find((name) => name.endsWith('.tgz'))!);
  files = run('tar', ['-tzf', tarball], work)
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^package\//, ''))
    .sort();

  // Install the tarball the way npm would lay it out, its dependencies linked from this checkout.
  const modules = join(work, 'node_modules');
  mkdirSync(modules);
  run('tar', ['-xzf', tarball, '-C', modules], work);
  installed = join(modules, 'mastra-cloudflare-d1');
  renameSync(join(modules, 'package'), installed);
  for (const dependency of ['@mastra', 'zod']) symlinkSync(join(root, 'node_modules', dependency), join(modules, dependency));
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the npm pack tarball', () => {
  it('ships the ESM and CJS builds that prepack made, with their types, and no sources or tests', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']));
    expect(files.filter((f) => /^(src|test|bench|examples)\//.test(f))).toEqual([]);
  });

  it('declares exactly the public API in its types: no driver, statement or internal context types', () => {
    const types = readFileSync(join(installed, 'dist/index.d.ts'), 'utf8');
    const exported = /^export \{([^}]*)\};$/m
      .exec(types)![1]!
      .split(',')
      .map((name) => name.trim().replace(/^type /, ''));
    expect(exported.sort()).toEqual([...PUBLIC_API].sort());
    const start = types.indexOf('type D1DomainConfig =');
    expect(start).toBeGreaterThan(-1);
    const domainConfig = types.slice(start, types.indexOf('\n\n', start));
    expect(domainConfig).toContain('binding: D1DatabaseLike');
    expect(domainConfig).not.toMatch(/\b(driver|tables|D1DomainContext)\b/);
  });

  it('declares the Node version @mastra/core requires, and where the project lives', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      engines: { node: string };
      repository: { url: string };
      homepage: string;
    };
    const core = JSON.parse(readFileSync(join(root, 'node_modules/@mastra/core/package.json'), 'utf8')) as { engines: { node: string } };
    expect(manifest.engines.node).toBe(core.engines.node);
    expect(manifest.repository.url).toMatch(/^git\+https:\/\/github\.com\/.+\.git$/);
    expect(manifest.homepage).toMatch(/^https:\/\//);
  });

  it('exports D1Store and the domain classes from its CJS entry', () => {
    const cjs = createRequire(join(work, 'index.js'))('mastra-cloudflare-d1') as typeof Package;
    expect(typeof cjs.D1Store).toBe('function');
    expect(Object.keys(cjs).sort()).toEqual(['D1QueryError', 'D1Store', 'schemaSql', ...Object.keys(domainClasses)].sort());
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
