import { defineConfig } from 'vitest/config';

/**
 * Two projects, one run and one summary: the Node suite (Miniflare's D1 and the REST emulator) and the
 * smoke suite inside workerd (vitest.workers.config.ts).
 */
export default defineConfig({
  test: {
    env: { MASTRA_TELEMETRY_DISABLED: '1' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/workers/**', 'node_modules/**'],
          pool: 'forks',
        },
      },
      './vitest.workers.config.ts',
    ],
  },
});
