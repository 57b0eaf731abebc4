/**
 * A one-line progress bar for a terminal, redrawn at most every 100 ms; nothing when stdout is
 * not a terminal (CI logs get the plain epoch lines only).
 */
export class ProgressBar {
  private lastDraw = 0;
  private visible = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  get enabled(): boolean {
    return Boolean(this.stream.isTTY);
  }

  update(epoch: number, epochs: number, batch: number, batches: number, loss: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && batch !== batches) return;
    this.lastDraw = now;
    const size = 30;
    const filled = Math.round((batch / batches) * size);
    const bar = '█'.repeat(filled) + '░'.repeat(size - filled);
    const lossText = Number.isFinite(loss) ? loss.toFixed(4) : '…';
    this.stream.write(`\r\x1b[2Kepoch ${epoch}/${epochs} ${bar} ${batch}/${batches} loss=${lossText}`);
    this.visible = true;
  }

  /** Clears the bar so a normal line can be printed. */
  clear(): void {
    if (this.visible) this.stream.write('\r\x1b[2K');
    this.visible = false;
  }
}
