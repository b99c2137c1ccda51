export interface BenchOptions {
  repetitions: number;
}

export interface Benchmark {
  readonly group: string;
  readonly name: string;
  run(options: BenchOptions): Promise<Record<string, number>>;
}

export const benchmarks: readonly Benchmark[] = [];
