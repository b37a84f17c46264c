import { toD1QueryError } from './errors';
import { bindable, toStatementResult } from './results';
import type { D1DatabaseLike, D1Driver, SqlStatement } from './types';

/**
 * A driver over a Workers D1 binding (`env.DB`) or a session from `env.DB.withSession()`.
 * `batch` is D1's atomic batch: one round trip, all or nothing.
 */
export function createBindingDriver(db: D1DatabaseLike): D1Driver {
  const prepare = (statement: SqlStatement) => db.prepare(statement.sql).bind(...bindable(statement.params));

  async function runOne<Row>(operation: string, statement: SqlStatement) {
    try {
      return toStatementResult<Row>(await prepare(statement).all());
    } catch (error) {
      throw toD1QueryError(error, operation, [statement]);
    }
  }

  return {
    kind: 'binding',
    atomicBatch: true,
    all: async <Row>(statement: SqlStatement) => (await runOne<Row>('all', statement)).rows,
    run: (statement: SqlStatement) => runOne('run', statement),
    async batch(statements: readonly SqlStatement[]) {
      if (statements.length === 0) return [];
      try {
        const results = await db.batch(statements.map(prepare));
        return results.map((raw) => toStatementResult(raw));
      } catch (error) {
        throw toD1QueryError(error, 'batch', statements);
      }
    },
  } as D1Driver;
}
