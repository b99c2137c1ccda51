/** Runs `fn` after warm-ups and returns the median of the repetitions: one noisy run says little on a shared machine. */
export async function median(fn: () => Promise<number>, repetitions: number, warmups = 1): Promise<number> {
  for (let i = 0; i < warmups; i++) await fn();
  const values: number[] = [];
  for (let i = 0; i < repetitions; i++) values.push(await fn());
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)]!;
}

/** Operations per second of `n` operations done by `run`. */
export async function opsPerSecond(n: number, run: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await run();
  return (n * 1000) / (performance.now() - t0);
}

/** Milliseconds per operation, averaged over `n` sequential operations. */
export async function msPerOp(n: number, op: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await op();
  return (performance.now() - t0) / n;
}
