import { expect, it } from 'vitest';
import { scenarioTests, writtenIds } from './_scenarios.js';

it('the demo includes the scenarios of @ipc/core', () => {
  for (const id of ['S000-1', 'S003-1', 'S003-2', 'S004-1', 'S004-2', 'S004-3', 'S004-4', 'S004-11', 'S004-12']) expect(writtenIds).toContain(id);
});

scenarioTests(0, 2);
