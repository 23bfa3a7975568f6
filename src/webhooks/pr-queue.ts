/**
 * Evaluations of one pull request run one at a time, in arrival order, so two events can never
 * race to create two check runs or two comments. Events that only ask for a re-evaluation
 * coalesce: while one evaluation runs, any number of such events share the single next one,
 * which reads GitHub afresh and so covers them all.
 */
interface Slot {
  tail: Promise<unknown>;
  /** The queued evaluation that plain events may still join, if it has not started. */
  joinable?: Promise<unknown>;
}

export class PullRequestQueue {
  private readonly slots = new Map<string, Slot>();
  private active = 0;
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  /** Jobs started or waiting. */
  get size(): number {
    return this.active;
  }

  /** Jobs started and not yet finished. */
  get inFlight(): number {
    return this.running;
  }

  /** Jobs waiting for an earlier job of the same key. */
  get waiting(): number {
    return this.active - this.running;
  }

  /**
   * Runs `job` after the jobs queued before it for `key`. A `joinable` job whose predecessor has
   * not started yet returns that predecessor's promise instead of running again.
   */
  run<T>(key: string, job: () => Promise<T>, joinable: boolean): Promise<T> {
    const slot = this.slots.get(key) ?? { tail: Promise.resolve() };
    if (joinable && slot.joinable) return slot.joinable as Promise<T>;

    this.active++;
    const start = () => {
      // Once started, it no longer covers later events: they queue a new evaluation.
      if (slot.joinable === result) delete slot.joinable;
      this.running++;
      const done = () => void this.running--;
      return job().finally(done);
    };
    const result: Promise<T> = slot.tail.then(start, start);
    if (joinable) slot.joinable = result;
    const tail: Promise<void> = result.then(
      () => this.finish(key, slot, tail),
      () => this.finish(key, slot, tail),
    );
    slot.tail = tail;
    this.slots.set(key, slot);
    return result;
  }

  private finish(key: string, slot: Slot, tail: Promise<void>): void {
    this.active--;
    if (slot.tail === tail && this.slots.get(key) === slot) this.slots.delete(key);
    if (this.active === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Resolves when no job is running or waiting (for a graceful shutdown). */
  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
