import { versionedParity } from '../conformance/versioned-fixtures';
import { WORKSPACES_FIXTURE } from '../conformance/workspaces-fixture';

versionedParity(WORKSPACES_FIXTURE);
