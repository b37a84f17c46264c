import { D1QueryError, toD1QueryError } from './errors';
import { bindable, toStatementResult } from './results';
import type { D1Client, D1Driver, SqlStatement, StatementResult } from './types';

/**
 * A driver over the `client: { query }` option that `@mastra/cloudflare-d1` accepted. Such a client
 * runs one statement per call, so `batch` degrades to statements in sequence: one round trip each,
 * and NOT atomic (`atomicBatch` is false). Prefer the binding or REST options where atomicity matters.
 */
export function createCustomDriver(client: D1Client): D1Driver {
  async function runOne<Row>(operation: string, statement: SqlStatement): Promise<StatementResult<Row>> {
    let response: Awaited<ReturnType<D1Client['query']>>;
    try {
      response = await client.query({ sql: statement.sql, params: bindable(statement.params) });
    } catch (error) {
      throw toD1QueryError(error, operation, [statement]);
    }
    if (!response || !Array.isArray(response.result)) {
      throw new D1QueryError({
        message: 'Custom D1 client returned no `result` array',
        kind: 'permanent',
        operation,
        statements: [statement],
      });
    }
    const last = response.result[response.result.length - 1];
    return toStatementResult<Row>(last);
  }

  return {
    kind: 'custom',
    atomicBatch: false,
    all: async <Row>(statement: SqlStatement) => (await runOne<Row>('all', statement)).rows,
    run: (statement: SqlStatement) => runOne('run', statement),
    async batch(statements: readonly SqlStatement[]) {
      const results: StatementResult[] = [];
      for (const statement of statements) results.push(await runOne('batch', statement));
      return results;
    },
  } as D1Driver;
}
