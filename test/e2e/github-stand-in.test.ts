/**
 * The GitHub stand-in itself, over real HTTP with plain fetch: GitHub Enterprise paths, fault
 * rules, latency and the request counters that benchmarks and fault tests rely on.
 */
import { afterEach, describe, expect, it } from "@jest/globals";
import { FakeGitHub } from "../support/fake-github.js";
import { faults, GitHubStandIn } from "../support/github-stand-in.js";

const POLICY = "version: 1\n";

describe("the GitHub stand-in", () => {
  let standIn: GitHubStandIn | undefined;
  afterEach(async () => {
    await standIn?.stop();
    standIn = undefined;
  });

  async function started(options: ConstructorParameters<typeof GitHubStandIn>[0] = {}) {
    standIn = await new GitHubStandIn({ fake: new FakeGitHub(), ...options }).start();
    const repo = standIn.fake.addRepository({ owner: "acme", name: "api", policy: POLICY });
    standIn.fake.addPullRequest(repo, {
      number: 7,
      files: Array.from({ length: 150 }, (_, i) => ({
        filename: `src/f${i}.ts`,
        status: "modified" as const,
        additions: 1,
        deletions: 0,
      })),
    });
    return standIn;
  }

  const graphql = (base: string, operation: string) =>
    fetch(`${base.replace(/\/v3$/, "")}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: `query ${operation}($owner: String!) { x }`,
        variables: { owner: "acme", name: "api", number: 7 },
      }),
    });

  it("serves REST under /api/v3 and GraphQL at /api/graphql, with links to itself", async () => {
    const s = await started();
    expect(s.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(s.env).toEqual({ GHE_HOST: s.host, GHE_PROTOCOL: "http" });

    const page = await fetch(`${s.baseUrl}/repos/acme/api/pulls/7/files?per_page=100&page=1`);
    expect(page.status).toBe(200);
    expect(((await page.json()) as unknown[]).length).toBe(100);
    expect(page.headers.get("link")).toBe(
      `<${s.baseUrl}/repos/acme/api/pulls/7/files?per_page=100&page=2>; rel="next", <${s.baseUrl}/repos/acme/api/pulls/7/files?per_page=100&page=2>; rel="last"`,
    );

    const snapshot = await graphql(s.baseUrl, "GuardrailsPullRequest");
    expect(snapshot.status).toBe(200);
    const data = (await snapshot.json()) as { data: { repository: { pullRequest: { changedFiles: number } } } };
    expect(data.data.repository.pullRequest.changedFiles).toBe(150);

    expect(s.fake.requests.map((r) => `${r.method} ${r.path} ${r.operation ?? ""}`.trim())).toEqual([
      "GET /repos/acme/api/pulls/7/files",
      "POST /graphql GuardrailsPullRequest",
    ]);
    expect(s.served.map((r) => [r.path, r.status, r.faulted])).toEqual([
      ["/repos/acme/api/pulls/7/files", 200, false],
      ["/graphql", 200, false],
    ]);
    expect(s.requestCount).toBe(2);
  });

  it("answers matching requests with a fault as many times as asked, then lets them through", async () => {
    const s = await started();
    const rule = s.addFault({ method: "GET", path: /\/pulls\/\d+\/files$/, times: 2, ...faults.secondaryRateLimit(3) });
    s.addFault({ operation: "GuardrailsReviews", ...faults.status(502) });

    const first = await fetch(`${s.baseUrl}/repos/acme/api/pulls/7/files`);
    expect(first.status).toBe(403);
    expect(first.headers.get("retry-after")).toBe("3");
    expect(((await first.json()) as { message: string }).message).toMatch(/secondary rate limit/);
    expect((await fetch(`${s.baseUrl}/repos/acme/api/pulls/7/files`)).status).toBe(403);
    expect((await fetch(`${s.baseUrl}/repos/acme/api/pulls/7/files`)).status).toBe(200);
    expect(rule.hits).toBe(2);

    // Matched by GraphQL operation name, not by path: the snapshot query goes through.
    expect((await graphql(s.baseUrl, "GuardrailsReviews")).status).toBe(502);
    expect((await graphql(s.baseUrl, "GuardrailsPullRequest")).status).toBe(200);

    // Faulted requests never reach the fake.
    expect(s.fake.requests.map((r) => r.operation ?? r.path)).toEqual([
      "/repos/acme/api/pulls/7/files",
      "GuardrailsPullRequest",
    ]);
    expect(s.served.filter((r) => r.faulted).map((r) => r.status)).toEqual([403, 403, 502]);
  });

  it("sends malformed JSON, drops connections and delays answers when asked", async () => {
    const s = await started();
    s.addFault({ path: /\/git\/blobs\//, times: 1, ...faults.malformedJson() });
    s.addFault({ path: /^\/app$/, times: 1, ...faults.dropConnection() });
    s.addFault({ method: "POST", path: /\/access_tokens$/, times: 1, ...faults.slow(300) });

    const blob = await fetch(`${s.baseUrl}/repos/acme/api/git/blobs/${"0".repeat(40)}`);
    expect(blob.status).toBe(200);
    const text = await blob.text();
    expect((): unknown => JSON.parse(text)).toThrow(SyntaxError);

    await expect(fetch(`${s.baseUrl}/app`)).rejects.toThrow();

    // A client that waits gets the fake's answer after the delay.
    const token = await fetch(`${s.baseUrl}/app/installations/1/access_tokens`, { method: "POST" });
    expect(token.status).toBe(201);
    expect(((await token.json()) as { token: string }).token).toBe("ghs_test_token_1");

    // A client that gives up before the delay is over leaves the fake untouched.
    s.addFault({ method: "POST", path: /\/access_tokens$/, times: 1, ...faults.slow(500) });
    await expect(
      fetch(`${s.baseUrl}/app/installations/1/access_tokens`, { method: "POST", signal: AbortSignal.timeout(100) }),
    ).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(s.fake.requests.filter((r) => r.path.endsWith("/access_tokens"))).toHaveLength(1);
  });

  it("adds a fixed latency and counts the most requests in flight at once", async () => {
    const s = await started({ latencyMs: 300 });
    // Every request is held for the latency, so a client that waits less gets nothing...
    await expect(
      fetch(`${s.baseUrl}/repos/acme/api/pulls/7/files`, { signal: AbortSignal.timeout(30) }),
    ).rejects.toThrow();
    // ...and five at once are all in flight together. (The given-up request is counted first: on a
    // loaded machine it can reach the server after the client gave up, and would count below.)
    for (let i = 0; i < 200 && s.requestCount < 1; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    s.resetStats();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => fetch(`${s.baseUrl}/repos/acme/api/pulls/7/files`)),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(s.maxInFlight).toBe(5);
    expect(s.requestCount).toBe(5);
    await Promise.all(answers.map((a) => a.arrayBuffer()));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(s.inFlight).toBe(0);

    s.resetStats();
    expect([s.requestCount, s.maxInFlight, s.served.length]).toEqual([0, 0, 0]);
    s.latencyMs = 0;
    expect(
      (await fetch(`${s.baseUrl}/repos/acme/api/pulls/7/files`, { signal: AbortSignal.timeout(2000) })).status,
    ).toBe(200);
  });
});
