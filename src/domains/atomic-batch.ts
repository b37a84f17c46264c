import type { D1Driver } from '../client/types';
import { userError } from '../errors';

/**
 * Refuses, before anything is sent, an operation that is only correct when its write batch is all or
 * nothing, on a driver whose batch is not (the `client` option runs statements one by one, so a failure
 * part-way would leave a partial write behind). A USER error naming the option and the alternatives.
 */
export function requireAtomicBatch(driver: D1Driver, operation: string): void {
  if (driver.atomicBatch) return;
  throw userError(
    operation,
    `${operation} needs an all-or-nothing batch, which a custom \`client\` cannot give (it runs statements one by one). ` +
      'Reach D1 through the `binding` option, or the REST options (`accountId`, `databaseId`, `apiToken`), for this operation.',
    { option: 'client' },
    'ATOMIC_BATCH_REQUIRED',
  );
}
