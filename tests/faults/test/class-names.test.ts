// Every class a package exports is named as it is exported: `type(x).__name__` in Python, `x.constructor.name`
// (and so reprs, error messages, `util.inspect`) here. The bundler renames a class that names itself inside its
// own body (`class _X`), so this guards the built packages, not the sources.
import { describe, expect, it } from 'vitest';

const packages = ['@ipc/core', '@ipc/pipe', '@ipc/queue', '@ipc/shared', '@ipc/sync', '@ipc/pool', '@ipc/subprocess'];
/** Exports that are functions made under another name on purpose. */
const aliases: Record<string, string> = { '@ipc/shared.Array': 'SharedArrayOf' };

describe('exported class names', () => {
  it.each(packages)('%s: each exported class is named as exported', async (pkg) => {
    const mod = (await import(pkg)) as Record<string, unknown>;
    const wrong = Object.entries(mod)
      .filter(([name, v]) => typeof v === 'function' && /^[A-Z]/.test(name) && (v as { prototype?: unknown }).prototype !== undefined)
      .filter(([name, v]) => (v as { name: string }).name !== (aliases[`${pkg}.${name}`] ?? name))
      .map(([name, v]) => `${name} is named ${(v as { name: string }).name}`);
    expect(wrong).toEqual([]);
  });
});
