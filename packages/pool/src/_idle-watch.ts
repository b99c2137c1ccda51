/**
 * How long an idle worker watches for its next task before it sleeps, learnt
 * from the gaps between tasks. Why: waking a sleeping thread costs ~100 µs or
 * more on a VM (an idle vCPU halts). Once one side has slept, the other's next
 * message comes late, a fixed watch runs out, and the two take turns sleeping:
 * every task then costs two wake-ups (~250 µs) until chance ends it — runs of
 * hundreds of tasks were seen. A watch a little longer than the recent gaps,
 * while they are short, catches the next task instead; gaps longer than the
 * longest watch mean tasks are sparse, and the watch goes back to its shortest.
 */
export class IdleWatch {
  private gapUs = 0;

  constructor(
    private readonly minUs: number,
    private readonly maxUs: number,
  ) {}

  /** How long to watch now, in µs. */
  get windowUs(): number {
    return Math.min(this.maxUs, Math.max(this.minUs, 2 * this.gapUs));
  }

  /** The time from going idle to the next task, in µs. */
  observe(gapUs: number): void {
    this.gapUs = gapUs >= this.maxUs ? 0 : (this.gapUs + gapUs) / 2;
  }
}
