/** A path into a value being encoded, built only when an error must name it. */
export interface PathNode {
  readonly parent: PathNode | undefined;
  readonly key: string | number;
}

export function pathToString(node: PathNode | undefined, root: string): string {
  const parts: (string | number)[] = [];
  for (let n = node; n !== undefined; n = n.parent) parts.push(n.key);
  let out = root;
  for (let i = parts.length - 1; i >= 0; i--) {
    const key = parts[i]!;
    // Keys made by the walker itself (`.get("k")` of a Map, `.<item>` of a Set) go in as written.
    out += typeof key === 'number' ? `[${key}]` : key.startsWith('.') ? key : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  }
  return out;
}
