/** One measured subject of a benchmark: @ipc or a peer. Runs in a fresh child process of its own. */
export interface SubjectResult {
  /** The figure, in the benchmark's unit. */
  value: number;
  /** Peak resident set size of the process that ran it, in bytes. */
  maxRss: number;
}

export type Unit = 'ops/s' | 'ms' | 'MB/s';

/** A target from the issues: @ipc against a peer, as a ratio where > 1 is better for @ipc. */
export interface Target {
  peer: string;
  /** The ratio @ipc must reach (in "times better" terms: 5 means 5× the peer's throughput, or 1/5 of its latency). */
  atLeast: number;
}

export interface Benchmark {
  readonly group: string;
  readonly name: string;
  readonly unit: Unit;
  /** The subjects by name; '@ipc' is ours, the rest are peers. Each gets the input size, returns its figure. */
  readonly subjects: Readonly<Record<string, (size: number) => Promise<number>>>;
  /** Input size for a real run and for the smoke test. */
  readonly size: number;
  readonly smokeSize: number;
  readonly targets?: readonly Target[];
  /** The figure of python/peers.py measuring Python's equivalent, shown as the peer 'python'. */
  readonly python?: string;
}
