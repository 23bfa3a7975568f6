/**
 * Evaluations of one pull request run one at a time, in arrival order, so two events can never
 * race to create two check runs or two comments. Events that only ask for a re-evaluation
 * coalesce: while one evaluation runs, any number of such events share the single next one,
 * which reads GitHub afresh and so covers them all. Events of another kind (a `join` group: a
 * push that names its previous head) join only a queued evaluation of their kind, and nothing
 * joins an evaluation queued before one that may not be joined (it would run before it).
 */
interface Slot {
  tail: Promise<unknown>;
  /** The queued evaluation each kind of event may still join, if it has not started. */
  joinable: Map<string, Promise<unknown>>;
}

/** Which queued evaluation an event may join: plain ones (true), none (false), or those of its kind. */
export type Join = boolean | string;
const PLAIN = "";

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
   * Runs `job` after the jobs queued before it for `key`. A joinable job whose predecessor of the
   * same kind has not started yet returns that predecessor's promise instead of running again.
   */
  run<T>(key: string, job: () => Promise<T>, join: Join): Promise<T> {
    const slot = this.slots.get(key) ?? { tail: Promise.resolve(), joinable: new Map<string, Promise<unknown>>() };
    const group = join === true ? PLAIN : join === false ? undefined : join;
    const queued = group === undefined ? undefined : slot.joinable.get(group);
    if (queued) return queued as Promise<T>;
    // Later events must not join an evaluation that runs before this one.
    if (group === undefined) slot.joinable.clear();

    this.active++;
    const start = () => {
      // Once started, it no longer covers later events: they queue a new evaluation.
      if (group !== undefined && slot.joinable.get(group) === result) slot.joinable.delete(group);
      this.running++;
      const done = () => void this.running--;
      return job().finally(done);
    };
    const result: Promise<T> = slot.tail.then(start, start);
    if (group !== undefined) slot.joinable.set(group, result);
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
