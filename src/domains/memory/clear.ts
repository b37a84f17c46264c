import { TABLE_MESSAGES, TABLE_OBSERVATIONAL_MEMORY, TABLE_RESOURCES, TABLE_THREADS } from '@mastra/core/storage';
import type { DomainContext } from '../context';

const MEMORY_TABLE_NAMES = [TABLE_MESSAGES, TABLE_THREADS, TABLE_RESOURCES, TABLE_OBSERVATIONAL_MEMORY];

/** Empties every memory table (this prefix only) in one atomic batch. */
export async function clearMemory(ctx: DomainContext): Promise<void> {
  await ctx.driver.batch(
    MEMORY_TABLE_NAMES.map((table) => ({ sql: `DELETE FROM ${ctx.tables(table)}`, params: [] })),
    { idempotent: true },
  );
}
