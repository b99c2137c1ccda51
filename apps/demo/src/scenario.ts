/** What every scenario file exports: the document's example, as a user would write it with @ipc. */
export type ContextKind = 'thread' | 'process';

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
