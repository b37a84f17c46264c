/** The only characters a table prefix may use. */
export const TABLE_PREFIX_PATTERN = /^[A-Za-z0-9_]*$/;

// Quoted, a name may start with a digit (a `tablePrefix` such as `9lives_`); the check only keeps
// anything but letters, digits and underscores out of the quotes.
const IDENTIFIER_PATTERN = /^[A-Za-z0-9_]+$/;

/**
 * Double-quotes an identifier for SQL. Identifiers here come from code (schemas, allowed-field lists),
 * never from user input; the pattern check makes a slip loud instead of injectable.
 */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER_PATTERN.test(name)) throw new Error(`Invalid SQL identifier: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** Maps a core table name (e.g. `mastra_threads`) to its prefixed, quoted name in this database. */
export interface TableNamer {
  (table: string): string;
  readonly prefix: string;
}

/**
 * The one place `tablePrefix` is applied. The prefix is concatenated with no separator,
 * exactly as `@mastra/cloudflare-d1` did, so existing databases keep their table names.
 */
export function prefixedName(prefix: string, name: string): string {
  return `${prefix}${name}`;
}

/** A namer for one prefix; the prefix must match `TABLE_PREFIX_PATTERN` (checked at construction). */
export function createTableNamer(prefix = ''): TableNamer {
  if (!TABLE_PREFIX_PATTERN.test(prefix)) throw new Error(`Invalid table prefix: ${JSON.stringify(prefix)}`);
  return Object.assign((table: string) => quoteIdentifier(prefixedName(prefix, table)), { prefix });
}
