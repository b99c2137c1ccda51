import { defineConfig } from 'vitest/config';

// One project per package and app; `pnpm test` runs them through turbo, this file serves IDEs and `vitest` at the root.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tests/*'],
  },
});
