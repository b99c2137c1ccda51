import type { Benchmark } from '../types.js';
import { channelBenchmarks } from './channel.js';
import { processChannelBenchmarks } from './process-channel.js';
import { pipeBenchmarks } from './pipe.js';
import { poolBenchmarks } from './pool.js';
import { processBenchmarks } from './process.js';
import { queueBenchmarks } from './queue.js';
import { sharedBenchmarks } from './shared.js';
import { subprocessBenchmarks } from './subprocess.js';
import { syncBenchmarks } from './sync.js';

/** Every benchmark, by group (`pnpm bench <group>`). */
export const benchmarks: readonly Benchmark[] = [...processBenchmarks, ...channelBenchmarks, ...processChannelBenchmarks, ...pipeBenchmarks, ...queueBenchmarks, ...syncBenchmarks, ...sharedBenchmarks, ...poolBenchmarks, ...subprocessBenchmarks];

export function findBenchmark(id: string): Benchmark | undefined {
  return benchmarks.find((b) => `${b.group}/${b.name}` === id);
}
