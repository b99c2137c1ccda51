import { defineConfig } from 'tsup';

// Apps are run, not published: ESM only, every file under src/ an entry so scenarios load by path.
export default defineConfig({
  entry: ['src/**/*.ts'],
  format: ['esm'],
  target: 'node20',
  clean: true,
  sourcemap: true,
  splitting: false,
  bundle: false,
});
