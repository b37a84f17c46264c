import { PROMPT_BLOCK_VERSIONS_SCHEMA, PROMPT_BLOCKS_SCHEMA, PromptBlocksStorage, TABLE_PROMPT_BLOCK_VERSIONS, TABLE_PROMPT_BLOCKS } from '@mastra/core/storage';
import { opNames, Versioned, versionedTables } from '../versioned';

const [BLOCKS, BLOCK_VERSIONS] = versionedTables(TABLE_PROMPT_BLOCKS, PROMPT_BLOCKS_SCHEMA, TABLE_PROMPT_BLOCK_VERSIONS, PROMPT_BLOCK_VERSIONS_SCHEMA, 'blockId');

/** Stored instruction blocks that stored agents reference (`prompt_block_ref`), with their versions. */
export class PromptBlocksStorageD1 extends Versioned(PromptBlocksStorage, {
  key: 'promptBlocks',
  entity: BLOCKS,
  versions: BLOCK_VERSIONS,
  parent: 'blockId',
  createKey: 'promptBlock',
  listKey: 'promptBlocks',
  thin: ['authorId', 'metadata'],
  ops: opNames('PROMPT_BLOCK', 'PROMPT_BLOCKS', 'BLOCK'),
}) {}
