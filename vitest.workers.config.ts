import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

/**
 * The smoke suite that runs inside workerd: a real D1 binding (see wrangler.toml), and the REST client
 * calling a local D1 REST emulator that test/workers/rest-setup.ts starts in Node.
 */
export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: { bindings: { REST: inject('rest') } },
    })),
  ],
  test: {
    name: 'workers',
    include: ['test/workers/**/*.test.ts'],
    globalSetup: ['test/workers/rest-setup.ts'],
    testTimeout: 60_000,
  },
});
