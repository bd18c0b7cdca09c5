/**
 * Spaces calls so that no second holds more than `perSecond` of them (the AWS Support API
 * allows 5 calls a second per account). Applied to every attempt, retries included.
 */
export class CallSpacer {
  private nextFree = 0;
  private readonly gapMs: number;

  constructor(perSecond: number, private readonly now: () => number = Date.now) {
    this.gapMs = 1000 / perSecond;
  }

  /** Resolves when the caller may make its call. */
  async take(): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.nextFree);
    this.nextFree = at + this.gapMs;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }
}
