/** What every scenario file exports: the document's example, as a user would write it with @ipc. */
export type ContextKind = 'thread' | 'process';

/** One task a pool ran, for the progress bar and the `--timeline` picture. */
export interface TaskRecord {
  /** The worker that ran it, e.g. `PoolWorker-2`: one timeline lane per worker. */
  readonly worker: string;
  /** A short name for the task, e.g. its index `'3'`; drawn at the start of its bar. */
  readonly label: string;
  /** Wall-clock milliseconds (`Date.now()` in any heap: workers' `performance.now()` have other origins). */
  readonly start: number;
  readonly end: number;
}

/** The fields of a pool's `task` event that the pictures use (@ipc/pool's `TaskEvent` has them). */
export interface TaskEndLike {
  readonly worker: string;
  /** The task's number in the pool, in submission order: its label in the timeline. */
  readonly task: number;
  /** Wall-clock ms. */
  readonly start: number;
  readonly end: number;
}

/** What `ctx.track()` needs of a pool: `on('task', …)`, and `off` to stop listening when the scenario ends. */
export interface TaskEndSource {
  on(name: 'task', listener: (event: TaskEndLike) => void): unknown;
  off?(name: 'task', listener: (event: TaskEndLike) => void): unknown;
}

export interface ScenarioContext {
  /** The context the scenario's processes run in, for scenarios that start any. */
  readonly context: ContextKind;
  /** Multiplies the documents' sleeps: 1 is the document's own timing. */
  readonly scale: number;
  /** Bound, in seconds, for the documents' endless loops. */
  readonly seconds: number;
  /** Prints a line of the scenario's output. */
  log(...parts: unknown[]): void;
  /** Sleeps for the document's `seconds`, scaled. */
  sleep(seconds: number): Promise<void>;
  /**
   * Announces that `total` pool tasks are about to run: on a TTY a live
   * progress bar stays on the terminal's last line until the scenario ends;
   * elsewhere nothing is drawn. Call it once, before submitting.
   */
  progress(total: number): void;
  /**
   * Reports a finished pool task: advances the progress bar by one and keeps
   * the record for `--timeline`, drawn after the scenario. Safe to call
   * without `progress()` (then only the timeline uses it).
   */
  recordTask(record: TaskRecord): void;
  /**
   * The short way for a @ipc/pool `Pool`: listens to its `task` events (one per finished task) and
   * records each (label = the task's index) until the scenario ends; with
   * `total`, also opens the progress bar (`progress(total)`).
   */
  track(pool: TaskEndSource, total?: number): void;
}

export interface Scenario {
  /** `S<document>-<n>`, as in SCENARIOS.md. */
  readonly id: string;
  readonly title: string;
  /** Topics for `pnpm demo <topic>`: pipe, queue, pool, process, thread, sync, shared, manager, subprocess… */
  readonly topics: readonly string[];
  /** Whether the scenario starts processes, and so runs in both contexts. */
  readonly usesContext: boolean;
  run(ctx: ScenarioContext): Promise<void>;
}
