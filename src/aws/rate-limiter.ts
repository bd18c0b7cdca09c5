/**
 * Spaces calls so that no second holds more than `perSecond` of them (the AWS Support API
 * allows 5 calls a second per account). Applied to every attempt, retries included. Each gap
 * is measured from when the previous call was really released, plus a margin, so a late timer
 * delays the calls after it rather than crowding them.
 *
 * Calls that change a case are urgent: they go ahead of waiting reads, and they give up (not
 * sent) rather than wait longer than `maxWaitMs`, so the time between checking a claim and
 * sending an irreversible call stays bounded, whatever the sync is reading meanwhile.
 */
export class SpacerTimeoutError extends Error {
  override name = 'SpacerTimeoutError';
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
  urgent: boolean;
  deadline: number;
}

export class CallSpacer {
  private last = Number.NEGATIVE_INFINITY;
  private readonly waiting: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly gapMs: number;

  constructor(perSecond: number, private readonly now: () => number = Date.now, marginMs = 10) {
    this.gapMs = 1000 / perSecond + marginMs;
  }

  /** Resolves when the caller may make its call; rejects with SpacerTimeoutError past `maxWaitMs`. */
  take(options: { urgent?: boolean; maxWaitMs?: number } = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, urgent: options.urgent ?? false, deadline: this.now() + (options.maxWaitMs ?? Number.POSITIVE_INFINITY) };
      // Urgent callers queue behind other urgent ones only.
      const at = waiter.urgent ? this.waiting.findIndex((w) => !w.urgent) : -1;
      if (at === -1) this.waiting.push(waiter);
      else this.waiting.splice(at, 0, waiter);
      this.pump();
    });
  }

  private pump(): void {
    if (this.timer) return;
    for (;;) {
      const now = this.now();
      // Callers that can no longer be served in time are told so, and take no slot.
      for (let i = this.waiting.length - 1; i >= 0; i--) {
        const w = this.waiting[i]!;
        if (w.deadline < Math.max(now, this.last + this.gapMs)) {
          this.waiting.splice(i, 1);
          w.reject(new SpacerTimeoutError('the call waited too long for its turn under the API rate limit and was not sent'));
        }
      }
      const next = this.waiting[0];
      if (!next) return;
      const wait = this.last + this.gapMs - now;
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      this.waiting.shift();
      this.last = now;
      next.resolve();
    }
  }
}
