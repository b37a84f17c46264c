import {
  SKILL_VERSIONS_SCHEMA,
  SKILLS_SCHEMA,
  SkillsStorage,
  TABLE_SKILL_VERSIONS,
  TABLE_SKILLS,
  type StorageCreateSkillInput,
  type StorageListSkillsInput,
  type StorageListSkillsOutput,
  type StorageListSkillsResolvedOutput,
  type StorageSkillType,
} from '@mastra/core/storage';
import { skillSnapshotFieldValuesEqual } from '@mastra/core/storage/domains/skills';
import { userError } from '../../errors';
import type { TableNamer } from '../../sql/identifiers';
import { raw } from '../../sql/query';
import { opNames, ownedListFilters, Versioned, versionedTables } from '../versioned';

type Row = Record<string, unknown>;

const [SKILLS, SKILL_VERSIONS] = versionedTables(TABLE_SKILLS, SKILLS_SCHEMA, TABLE_SKILL_VERSIONS, SKILL_VERSIONS_SCHEMA, 'skillId');
const METADATA_KEY = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Where list() carries the metadata filter past the generic one, which reads an entity column skills lack. */
const VERSION_METADATA = Symbol('versionMetadata');
const owned = ownedListFilters('skill');

/**
 * The metadata filter over each skill's current snapshot (its active version, else its latest): a skill's
 * metadata lives on its versions. LibSQLStore ignores this filter (a bug; core's contract filters).
 */
function versionMetadataFilter(op: string, args: Row, tables: TableNamer) {
  const extras = owned(op, args, tables);
  const metadata = args[VERSION_METADATA as unknown as string];
  if (metadata == null || extras.empty) return extras;
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw userError(op, 'metadata filter must be an object', { field: 'metadata' });
  const versions = tables(TABLE_SKILL_VERSIONS);
  const current = `(SELECT v."metadata" FROM ${versions} AS v WHERE v.id = coalesce(a."activeVersionId", (SELECT l.id FROM ${versions} AS l WHERE l."skillId" = a."id" ORDER BY l."versionNumber" DESC LIMIT 1)))`;
  const conditions = Object.entries(metadata).map(([key, value]) => {
    if (!METADATA_KEY.test(key)) throw userError(op, `Invalid metadata key: ${key}. Keys must be alphanumeric with underscores.`, { key }, 'INVALID_METADATA_KEY');
    return raw(`json_extract(${current}, ?) = json_extract(?, '$')`, `$.${key}`, JSON.stringify(value ?? null));
  });
  return { ...extras, conditions: [...(extras.conditions ?? []), ...conditions] };
}

const withVersionMetadata = (args?: StorageListSkillsInput): Row => {
  const { metadata, ...rest } = args ?? {};
  return { ...rest, [VERSION_METADATA]: metadata };
};

/**
 * Stored skills (`@mastra/editor` `skill.publish`, Studio): a thin skill row with `visibility` and a
 * `favoriteCount` kept by the favorites domain, and append-only versions whose file contents live in
 * the blobs domain. `update` creates a version when snapshot fields change (see ../versioned/auto-version).
 */
export class SkillsStorageD1 extends Versioned(SkillsStorage, {
  key: 'skills',
  entity: SKILLS,
  versions: SKILL_VERSIONS,
  parent: 'skillId',
  createKey: 'skill',
  listKey: 'skills',
  thin: ['authorId', 'visibility'],
  ops: opNames('SKILL', 'SKILLS', 'SKILL'),
  autoVersion: {
    snapshot: ['name', 'description', 'instructions', 'license', 'compatibility', 'source', 'references', 'scripts', 'assets', 'files', 'metadata', 'tree'],
    equal: skillSnapshotFieldValuesEqual,
  },
  newEntity: (skill) => ({ visibility: skill.visibility ?? (skill.authorId ? 'private' : null), favoriteCount: 0 }),
  listFilters: versionMetadataFilter,
  toEntity: (record, row) => ({ ...record, favoriteCount: Number(row.favoriteCount ?? 0) }),
}) {
  /** As LibSQLStore's, the created row is returned without `visibility` and `favoriteCount`. */
  override async create(input: { skill: StorageCreateSkillInput }): Promise<StorageSkillType> {
    const { visibility: _visibility, favoriteCount: _count, ...created } = await super.create(input);
    return created as StorageSkillType;
  }

  override async list(args?: StorageListSkillsInput): Promise<StorageListSkillsOutput> {
    return super.list(withVersionMetadata(args) as StorageListSkillsInput);
  }

  override async listResolved(args?: StorageListSkillsInput): Promise<StorageListSkillsResolvedOutput> {
    return super.listResolved(withVersionMetadata(args) as StorageListSkillsInput);
  }
}
