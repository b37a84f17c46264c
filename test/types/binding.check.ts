// Compile-time only: a Workers `D1Database` and a `withSession()` session are accepted as `binding`.
import type { D1Database } from '@cloudflare/workers-types/experimental';
import { D1Store } from '../../src';

declare const db: D1Database;
export const fromBinding = () => new D1Store({ id: 'types', binding: db });
export const fromSession = () => new D1Store({ id: 'types', binding: db.withSession('first-primary') });
