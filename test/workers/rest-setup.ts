import type { TestProject } from 'vitest/node';
import { startLocalD1 } from '../support/d1';
import { startRestEmulator } from '../support/rest-emulator';

declare module 'vitest' {
  interface ProvidedContext {
    /** Where the smoke suite's Worker reaches the local D1 REST emulator. */
    rest: { apiBaseUrl: string; accountId: string; databaseId: string; apiToken: string };
  }
}

/** Starts a D1 REST emulator in Node for the Worker under test to call over HTTP. */
export default async function setup(project: TestProject) {
  const d1 = await startLocalD1();
  const emulator = await startRestEmulator(d1.db);
  const { apiBaseUrl, accountId, databaseId, apiToken } = emulator;
  project.provide('rest', { apiBaseUrl, accountId, databaseId, apiToken });
  return async () => {
    await emulator.close();
    await d1.dispose();
  };
}
