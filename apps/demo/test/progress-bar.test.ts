import { describe, expect, it } from 'vitest';
import { ProgressBar, renderBar, type Terminal } from '../src/progress-bar.js';

/** A terminal that keeps what is written to it. */
function terminal(isTTY: boolean): Terminal & { text: string } {
  return {
    isTTY,
    rows: 24,
    columns: 60,
    text: '',
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

describe('renderBar', () => {
  it('shows the count, a bar in proportion, the percentage and the time', () => {
    const line = renderBar(3, 12, 60, 1234);
    expect(line).toMatch(/^ {3}3\/12 \[█+░+\] {2}25% {3}1\.2s$/);
    const bar = /\[(.*)\]/.exec(line)![1]!;
    expect(bar.length).toBe(60 - '   3/12 []  25%   1.2s'.length);
    expect([...bar].filter((c) => c === '█').length).toBe(Math.round(bar.length / 4));
  });

  it('is full at the end, empty at the start, and never wider than the terminal', () => {
    expect(renderBar(5, 5, 50, 0)).toContain('100%');
    expect(renderBar(5, 5, 50, 0)).not.toContain('░');
    expect(renderBar(0, 5, 50, 0)).not.toContain('█');
    for (const columns of [10, 20, 33, 200]) expect(renderBar(1, 3, columns, 0).length).toBeLessThanOrEqual(columns);
    expect(renderBar(1, 3, 200, 0)).toMatch(/\[[█░]{40}\]/);
  });

  it('pads the count so the bar does not move as it grows', () => {
    expect(renderBar(1, 100, 80, 0).indexOf('[')).toBe(renderBar(100, 100, 80, 0).indexOf('['));
  });
});

describe('ProgressBar', () => {
  it('draws nothing when the output is not a terminal', () => {
    const out = terminal(false);
    const bar = new ProgressBar(out);
    bar.start(3);
    bar.tick();
    bar.stop();
    expect(out.text).toBe('');
  });

  it('on a terminal keeps the last line for itself, redraws on each task, and gives the line back', () => {
    const out = terminal(true);
    const bar = new ProgressBar(out);
    bar.start(2);
    expect(out.text).toContain('\x1b[1;23r'); // scroll region: every line but the last
    bar.tick();
    expect(out.text).toContain('\x1b[24;1H'); // drawn on the last line
    expect(out.text).toContain(' 1/2 [');
    bar.tick();
    bar.stop();
    expect(out.text).toContain('\x1b[r'); // the whole screen scrolls again
    expect(out.text).toMatch(/ 2\/2 \[█+\] 100% +\d+\.\ds\n$/);
    const length = out.text.length;
    bar.stop(); // twice is harmless
    expect(out.text.length).toBe(length);
  });
});
