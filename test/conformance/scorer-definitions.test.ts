import { FIXTURES, versionedConformance } from './versioned-fixtures';

versionedConformance(FIXTURES.scorerDefinitions);
