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
    out += typeof key === 'number' ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  }
  return out;
}
