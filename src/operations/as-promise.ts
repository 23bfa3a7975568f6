/**
 * A synchronous store method behind an asynchronous interface (the in-memory twin of a Redis
 * store): its result resolves, and what it throws rejects, as the Redis one's would.
 */
export function asPromise<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
