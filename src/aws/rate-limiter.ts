/**
 * Spaces calls so that no second holds more than `perSecond` of them (the AWS Support API
 * allows 5 calls a second per account). Applied to every attempt, retries included. Each gap
 * is measured from when the previous call was really released, plus a margin, so a late timer
 * delays the calls after it rather than crowding them.
 */
export class CallSpacer {
  private last = Number.NEGATIVE_INFINITY;
  private queue: Promise<void> = Promise.resolve();
  private readonly gapMs: number;

  constructor(perSecond: number, private readonly now: () => number = Date.now, marginMs = 10) {
    this.gapMs = 1000 / perSecond + marginMs;
  }

  /** Resolves when the caller may make its call. */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      const wait = this.last + this.gapMs - this.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.last = this.now();
    });
    this.queue = turn;
    return turn;
  }
}
