/**
 * Readiness, apart from liveness. `GET /healthz` says the process is alive (restart it when it
 * does not answer); `GET /readyz` says whether it can do its work now: 503 with the reason while a
 * dependency it was configured with (Redis) is unreachable, so that a load balancer sends the
 * deliveries to a replica that can take them, and 200 again once it is back. A replica whose Redis
 * is gone must not be restarted for it (it reconnects by itself), only left out.
 */

/** Something the server needs to do its work. */
export interface ReadinessCheck {
  /** Why the server cannot work now, or undefined when it can. */
  problem(): Promise<string | undefined>;
}

/** What the check needs of an ioredis client. */
export interface RedisLike {
  readonly status: string;
  ping(): Promise<unknown>;
}

/** How long a PING may take before Redis counts as unreachable. */
export const REDIS_PING_TIMEOUT_MS = 1000;

/**
 * Redis (REDIS_URL) is usable when each of its clients is connected and the first answers PING in
 * time. One PING at a time, whatever the number of callers (an outsider can call /readyz).
 */
export function redisReadiness(clients: readonly [RedisLike, ...RedisLike[]]): ReadinessCheck {
  let pinging: Promise<string | undefined> | undefined;
  const ping = async (client: RedisLike): Promise<string | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no answer to PING within ${REDIS_PING_TIMEOUT_MS} ms`), REDIS_PING_TIMEOUT_MS);
    });
    try {
      return await Promise.race([client.ping().then(() => undefined), late]);
    } catch (error) {
      return `PING failed: ${(error as Error).message}`;
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    async problem() {
      const unconnected = clients.find((client) => client.status !== "ready");
      const why = unconnected
        ? `not connected (${unconnected.status})`
        : await (pinging ??= ping(clients[0]).finally(() => (pinging = undefined)));
      return why === undefined ? undefined : `Redis (REDIS_URL) is unreachable: ${why}`;
    },
  };
}
