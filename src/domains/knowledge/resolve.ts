import { canonicalizeKnowledgeScope, isKnowledgeScopeVisible, knowledgeScopeKey, type KnowledgeNode, type KnowledgeScope } from '@mastra/core/storage';
import { toNode } from './rows';

// Name resolution as LibSQLStore's transaction does it (nearest scope first, following merges), done in
// JS over candidates read in one statement, so a write needs one read and one batch whatever the
// number of names.

/** A node's identity name: trimmed and lower-cased, as LibSQLStore stores `canonicalName`. */
export const canonicalName = (name: string) => name.trim().toLocaleLowerCase();

/**
 * The scope keys visible from `scope`: its own and its ancestors' (`org`, `org+resource`, ...). A record
 * is visible exactly when its key is one of them, the index-friendly form of LibSQLStore's prefix test.
 */
export function ancestorKeys(scope: KnowledgeScope): string[] {
  const canonical = canonicalizeKnowledgeScope(scope);
  return canonical.map((_, i) => knowledgeScopeKey(canonical.slice(0, i + 1)));
}

/** A node found by name and scope key, with the node its merge chain ends at. */
export interface Candidate {
  startId: string;
  startName: string;
  startKey: string;
  node: KnowledgeNode;
}

/** Rows of `terminalsSql` as candidates. */
export const toCandidates = (rows: Record<string, unknown>[]): Candidate[] =>
  rows.map((row) => ({ startId: String(row.startId), startName: String(row.startName), startKey: String(row.startKey), node: toNode(row) }));

/**
 * The candidates as they will be once `node` (being created or updated in the same batch) is written:
 * its old identity is gone and its new one resolves to it.
 */
export function withPending(candidates: readonly Candidate[], node: KnowledgeNode): Candidate[] {
  const others = candidates.filter((c) => c.startId !== node.id).map((c) => (c.node.id === node.id ? { ...c, node } : c));
  return [...others, { startId: node.id, startName: canonicalName(node.name), startKey: knowledgeScopeKey(node.scope), node }];
}

/**
 * The node `name` refers to from `scope`: the nearest scope's node whose merge chain ends visible from
 * `scope`; failing that (when given), the node of that name in `fallbackScope`, wherever it merged to.
 */
export function resolveName(candidates: readonly Candidate[], name: string, scope: KnowledgeScope, fallbackScope?: KnowledgeScope): KnowledgeNode | undefined {
  const wanted = canonicalName(name);
  const at = (key: string) => candidates.find((c) => c.startName === wanted && c.startKey === key)?.node;
  for (const key of ancestorKeys(scope).reverse()) {
    const node = at(key);
    if (node && isKnowledgeScopeVisible(node.scope, scope)) return node;
  }
  return fallbackScope ? at(knowledgeScopeKey(fallbackScope)) : undefined;
}
