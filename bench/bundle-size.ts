/**
 * The package's own weight in a Worker bundle: esbuild bundles a one-line entry importing each
 * package, minified, for a Workers-like platform, with `@mastra/core` external (every Mastra app
 * ships it anyway).
 */
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** Bytes of one bundle, raw and gzipped. */
export interface BundleSize {
  label: string;
  raw: number;
  gzip: number;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function bundle(label: string, entry: string, external: string[]): Promise<BundleSize> {
  const result = await build({
    stdin: { contents: entry, resolveDir: ROOT, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser', 'import'],
    // Workers with nodejs_compat provide node:* at run time; they are not part of anyone's weight.
    external: ['@mastra/core', '@mastra/core/*', 'node:*', ...external],
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  return { label, raw: code.byteLength, gzip: gzipSync(code).byteLength };
}

const OURS = "export { D1Store } from './src/index.ts';";
const ORIGINAL = "export { D1Store } from '@mastra/cloudflare-d1';";

/**
 * Both packages with `zod` external too (@mastra/core peer-requires it, so a Mastra app already has
 * it), then ours with zod bundled, for an app whose zod is a different major.
 */
export async function bundleSizes(): Promise<BundleSize[]> {
  return [
    await bundle('mastra-cloudflare-d1', OURS, ['zod']),
    await bundle('@mastra/cloudflare-d1@1.0.1 (includes the `cloudflare` SDK)', ORIGINAL, ['zod']),
    await bundle('mastra-cloudflare-d1 with zod 4 bundled', OURS, []),
  ];
}
