// Serialized, coalescing restarts: restarts never overlap, and any number of requests made while
// one runs result in exactly one more.

export class RestartQueue {
  private current: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly restart: () => Promise<void>) {}

  /** Restart now, or once the running restart is over; resolves when the restart that covers
   * this request has finished (and rejects with its error). */
  request(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.current) return this.begin();
    const previous = this.current;
    this.queued = previous.catch(() => undefined).then(() => {
      this.queued = undefined;
      return this.begin();
    });
    return this.queued;
  }

  /** Is a restart running or queued? */
  get busy(): boolean {
    return this.current !== undefined || this.queued !== undefined;
  }

  private begin(): Promise<void> {
    const run = (async () => {
      await null; // a restart that throws at once still rejects `run` rather than `begin`
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
