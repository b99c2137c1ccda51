import { defineProject } from 'vitest/config';

/** Shared test settings: real workers and processes, so bounded and not too parallel for 2-core CI. */
export function packageTests(name: string) {
  return defineProject({
    test: {
      name,
      include: ['test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 30_000,
      pool: 'forks',
      poolOptions: { forks: { maxForks: 2, minForks: 1 } },
      teardownTimeout: 10_000,
    },
  });
}
