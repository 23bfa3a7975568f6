/**
 * Bursts of CI events: a suite completing 50 runs sends 50 events over a second or two, and an
 * evaluation takes tens of milliseconds, so the queue alone (src/webhooks/pr-queue.ts) would
 * still evaluate the PR for most of them. Events of one PR within a burst share one evaluation,
 * started once no event came for `quietMs`, or `maxWaitMs` after the burst's first event.
 */
export class BurstCoalescer {
  private readonly bursts = new Map<
    string,
    { result: Promise<unknown>; timer: NodeJS.Timeout; deadline: number; fire: () => void }
  >();

  constructor(
    private readonly quietMs = 250,
    private readonly maxWaitMs = 2000,
  ) {}

  /** Runs `job` once for the burst `key` is in; every event of the burst gets its outcome. */
  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const burst = this.bursts.get(key);
    if (burst) {
      clearTimeout(burst.timer);
      burst.timer = setTimeout(burst.fire, Math.max(0, Math.min(this.quietMs, burst.deadline - now)));
      return burst.result as Promise<T>;
    }
    let fire!: () => void;
    const started = new Promise<void>((resolve) => (fire = resolve));
    const result = started.then(() => {
      this.bursts.delete(key);
      return job();
    });
    this.bursts.set(key, { result, timer: setTimeout(fire, this.quietMs), deadline: now + this.maxWaitMs, fire });
    return result;
  }
}
