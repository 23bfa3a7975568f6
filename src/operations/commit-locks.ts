/**
 * Evaluations of one commit serialised: in the process by a chain of promises per commit, and
 * across replicas by the PR lock's store (Redis) when there is one. One commit can be the head of
 * several PRs; a stale view of one of them must not overwrite a newer one.
 */
import type { PullRequestLock } from "./pr-lock.js";

export class CommitLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(private readonly lock?: PullRequestLock) {}

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous.catch(() => undefined);
    const release = this.lock
      ? await this.lock.acquire(`commit:${key}`).catch(() => () => Promise.resolve())
      : () => Promise.resolve();
    try {
      return await work();
    } finally {
      await release().catch(() => undefined);
      done();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
