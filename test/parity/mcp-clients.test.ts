import { FIXTURES, versionedParity } from '../conformance/versioned-fixtures';

versionedParity(FIXTURES.mcpClients);
