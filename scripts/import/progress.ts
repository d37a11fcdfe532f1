/**
 * The import's progress line on stderr: items done of the total, items per second, ETA. On a terminal it is
 * redrawn in place at most every 100 ms; otherwise (a log file, CI) one line every few seconds.
 */

export class ProgressBar {
  private readonly started = performance.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  /** Called after every batch; draws when due. */
  update(done: number): void {
    const now = performance.now();
    const every = this.out.isTTY ? 100 : 3000;
    if (now - this.lastDraw < every && done < this.total) return;
    this.lastDraw = now;
    const line = this.line(done, now);
    if (this.out.isTTY) this.out.write(`\r${line}\x1b[K`);
    else this.out.write(`${line}\n`);
    this.drawn = true;
  }

  /** Ends the redrawn line, so what follows starts on its own line. */
  finish(): void {
    if (this.drawn && this.out.isTTY) this.out.write('\n');
  }

  /** Prints a message (a bad line) without tearing the bar. */
  note(message: string): void {
    if (this.drawn && this.out.isTTY) this.out.write('\r\x1b[K');
    this.out.write(`${message}\n`);
    this.lastDraw = 0;
  }

  private line(done: number, now: number): string {
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
    const eta = rate > 0 && done < this.total ? `ETA ${formatSeconds((this.total - done) / rate)}` : '';
    return `${bar} ${done.toLocaleString('en')}/${this.total.toLocaleString('en')} items  ${Math.round(rate).toLocaleString('en')}/s  ${eta}`.trimEnd();
  }
}

/** 75 → "1m15s", 4 → "4s". */
export function formatSeconds(s: number): string {
  const whole = Math.max(0, Math.round(s));
  const m = Math.floor(whole / 60);
  return m > 0 ? `${m}m${String(whole % 60).padStart(2, '0')}s` : `${whole}s`;
}
