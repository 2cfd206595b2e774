// Serialized, coalescing restarts: restarts never overlap, and every request made before a
// restart begins is served by that one restart. A request waits `settleMs` before beginning, so
// events that fire together (trusting a workspace also changes its settings) cost one restart.

export class RestartQueue {
  private current: Promise<void> | undefined; // the restart running now
  private waiting: Promise<void> | undefined; // the next restart, not begun yet

  constructor(private readonly restart: () => Promise<void>, private readonly settleMs = 0) {}

  /** Resolves when the restart that covers this request has finished (rejects with its error). */
  request(): Promise<void> {
    if (this.waiting) return this.waiting;
    const before = this.current ?? Promise.resolve();
    const next = before
      .catch(() => undefined) // a failed restart does not stop the next one
      .then(() => new Promise<void>((resolve) => setTimeout(resolve, this.settleMs)))
      .then(() => {
        this.waiting = undefined;
        return this.begin();
      });
    this.waiting = next;
    return next;
  }

  /** Is a restart running or about to begin? */
  get busy(): boolean {
    return this.current !== undefined || this.waiting !== undefined;
  }

  private begin(): Promise<void> {
    const run = (async () => {
      await null; // a restart that throws at once still rejects `run`
      await this.restart();
    })();
    this.current = run;
    const done = () => {
      if (this.current === run) this.current = undefined;
    };
    run.then(done, done); // registered first: runs before the callers see the outcome
    return run;
  }
}
