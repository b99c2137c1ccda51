import { defineConfig } from 'tsup';

// Apps are run, not published: ESM only. Not bundled: every file of src/ becomes the one file of
// dist/ at the same place, imports untouched. That is what makes tasks work: a scenario and the
// worker that runs its task import the very same module URL (dist/tasks/<id>.js), so task()
// records the same URL and ordinal on both sides; a bundle would copy the task into the
// scenario's chunk under another URL. It also lets scenarios/index.js find the scenario files
// by listing its own folder, and the clock programs be run by path.
export default defineConfig({
  entry: ['src/**/*.ts'],
  format: ['esm'],
  target: 'node20',
  clean: true,
  sourcemap: true,
  bundle: false,
});
