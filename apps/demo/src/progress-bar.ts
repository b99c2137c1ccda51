/** The live progress bar of pool scenarios: drawn on a terminal's last line, nothing elsewhere. */

/** What the bar needs of its output: a process.stdout on a terminal. */
export interface Terminal {
  readonly isTTY?: boolean;
  readonly rows?: number;
  readonly columns?: number;
  write(text: string): unknown;
}

const ESC = '\x1b[';

/** One line: `  3/9 [██████░░░░░░░░░░░░] 33%  1.2s`, exactly `columns` wide at most. */
export function renderBar(done: number, total: number, columns: number, elapsedMs: number): string {
  const count = `${String(done).padStart(String(total).length)}/${total}`;
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  const time = `${(elapsedMs / 1000).toFixed(1)}s`.padStart(6);
  const fixed = `  ${count} [] ${percent} ${time}`.length;
  const width = Math.max(0, Math.min(40, columns - fixed));
  const full = Math.round(ratio * width);
  const bar = '█'.repeat(full) + '░'.repeat(width - full);
  return `  ${count} [${bar}] ${percent} ${time}`.slice(0, Math.max(0, columns));
}

/**
 * Keeps the bar on the terminal's last line while output scrolls above it.
 * Workers in other threads and processes write to the same terminal behind our
 * back, so the bar cannot erase and redraw around their lines; instead it
 * narrows the scroll region (DECSTBM, as apt's progress does) so nothing else
 * ever lands on its line.
 */
export class ProgressBar {
  private done = 0;
  private total = 0;
  private started = 0;
  private active = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly term: Terminal) {}

  /** Whether `start()` will draw anything: only on a terminal tall enough to spare a line. */
  get drawable(): boolean {
    return this.term.isTTY === true && (this.term.rows ?? 0) >= 3 && (this.term.columns ?? 0) >= 20;
  }

  start(total: number): void {
    if (this.active) this.stop();
    this.done = 0;
    this.total = total;
    this.started = Date.now();
    if (!this.drawable) return;
    const rows = this.term.rows ?? 0;
    this.active = true;
    // A new line first, then back up: the cursor must sit inside the region we keep.
    this.term.write(`\n${ESC}1A\x1b7${ESC}1;${rows - 1}r\x1b8`);
    this.draw();
    // The elapsed time moves even while no task ends.
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
  }

  tick(): void {
    this.done++;
    if (this.active) this.draw();
  }

  /** Gives the last line back to the terminal; the finished bar is left in the scrolled output. */
  stop(): void {
    if (!this.active) return;
    this.active = false;
    clearInterval(this.timer);
    this.timer = undefined;
    const rows = this.term.rows ?? 0;
    const last = renderBar(this.done, this.total, this.term.columns ?? 80, Date.now() - this.started);
    this.term.write(`\x1b7${ESC}${rows};1H${ESC}2K\x1b8${ESC}r\x1b8${last}\n`);
  }

  private draw(): void {
    const rows = this.term.rows ?? 0;
    const line = renderBar(this.done, this.total, this.term.columns ?? 80, Date.now() - this.started);
    this.term.write(`\x1b7${ESC}${rows};1H${ESC}2K${line}\x1b8`);
  }
}
