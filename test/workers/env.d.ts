// The bindings the smoke suite's Worker gets (wrangler.toml, vitest.workers.config.ts), as a Worker sees them.
declare module 'cloudflare:workers' {
  export const env: {
    DB: import('@cloudflare/workers-types/experimental').D1Database;
    REST: import('vitest').ProvidedContext['rest'];
  };
}
