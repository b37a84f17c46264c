// The bindings wrangler.toml gives the smoke suite, typed as a Worker sees them.
declare module 'cloudflare:workers' {
  export const env: { DB: import('@cloudflare/workers-types/experimental').D1Database };
}
