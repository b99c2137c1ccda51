import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const requireHere = createRequire(import.meta.url);

/**
 * Loads a module at once, for a synchronous receive (`recvSync`, `getSync`, a
 * blocking call's reply) that meets a value naming a module this heap has not
 * loaded — what Python's unpickling does with its import. Node ≥ 20.19 can
 * `require()` an ES module without top-level await, and it is the very
 * instance a later `import()` gets. Returns the module's exports, or why it
 * cannot be loaded now (an older Node, top-level await, a URL that is not a file,
 * or any failure: `import()` may have loader hooks that `require()` lacks — a
 * TypeScript module run through a loader — so only the async form can tell).
 */
export function importSync(url: string): { exports: Record<string, unknown> } | { error: string } {
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch {
    return { error: `${url} is not a file` };
  }
  try {
    return { exports: requireHere(path) as Record<string, unknown> };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_REQUIRE_ASYNC_MODULE') return { error: 'it uses top-level await' };
    if (code === 'ERR_REQUIRE_ESM') return { error: `this Node (${process.version}) cannot require() an ES module` };
    return { error: (err as Error).message };
  }
}
