import { SCORER_DEFINITION_VERSIONS_SCHEMA, SCORER_DEFINITIONS_SCHEMA, ScorerDefinitionsStorage, TABLE_SCORER_DEFINITION_VERSIONS, TABLE_SCORER_DEFINITIONS } from '@mastra/core/storage';
import { opNames, Versioned, versionedTables } from '../versioned';

const [SCORERS, SCORER_VERSIONS] = versionedTables(TABLE_SCORER_DEFINITIONS, SCORER_DEFINITIONS_SCHEMA, TABLE_SCORER_DEFINITION_VERSIONS, SCORER_DEFINITION_VERSIONS_SCHEMA, 'scorerDefinitionId');

/** Stored scorer definitions (editor scorers, agent `scorers`, dataset items' `scorerIds`), with their versions. */
export class ScorerDefinitionsStorageD1 extends Versioned(ScorerDefinitionsStorage, {
  key: 'scorerDefinitions',
  entity: SCORERS,
  versions: SCORER_VERSIONS,
  parent: 'scorerDefinitionId',
  createKey: 'scorerDefinition',
  listKey: 'scorerDefinitions',
  thin: ['authorId', 'metadata'],
  ops: opNames('SCORER_DEFINITION', 'SCORER_DEFINITIONS', 'SCORER'),
}) {}
