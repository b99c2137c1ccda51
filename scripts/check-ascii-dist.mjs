// Fails when a built file of the package in the working directory holds a non-ASCII character:
// V8 reads such a file as two-byte text, which makes every new thread's import of it slower
// (tsup.base.ts escapes them; this keeps it so).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = join(process.cwd(), 'dist');
const bad = [];
for (const name of readdirSync(dist)) {
  if (!/\.(c|m)?js$/.test(name)) continue;
  const text = readFileSync(join(dist, name), 'utf8');
  const at = text.search(/[\u0080-\uffff]/);
  if (at >= 0) bad.push(`${name}: line ${text.slice(0, at).split('\n').length}`);
}
if (bad.length > 0) {
  console.error(`non-ASCII characters in built files (build through tsup.base.ts):\n  ${bad.join('\n  ')}`);
  process.exit(1);
}
