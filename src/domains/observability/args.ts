import type { z } from 'zod';
import { userError } from '../../errors';

/** Parses with a core schema; a failure is a USER error naming the field, thrown before anything is sent. */
export function parseArgs<S extends z.ZodType>(operation: string, schema: S, args: unknown): z.output<S> {
  const parsed = schema.safeParse(args);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || 'args';
  throw userError(operation, `Invalid ${operation} arguments: ${field} ${issue.message}`, { field });
}
