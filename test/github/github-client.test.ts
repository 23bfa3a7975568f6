/**
 * The write gate of the app's GitHub client: which requests wait for the installation's write slot
 * (one a second), counted, never timed.
 */
import { afterEach, describe, expect, it, jest } from "@jest/globals";
import nock from "nock";
import { Probot } from "probot";
import { pino } from "pino";
import {
  forgetToken,
  guardrailsOctokit,
  isWriteRequest,
  PLUGIN_WRITE_QUEUE_OFF,
  type WriteGroup,
} from "../../src/github/github-client.js";
import { useNock } from "../support/nock-github.js";
import { TEST_APP_ID, TEST_PRIVATE_KEY, type OctokitOptions } from "../support/test-probot.js";

const SNAPSHOT_QUERY = `query GuardrailsPullRequest($owner: String!, $repo: String!, $number: Int!) {
  repository(owner: $owner, name: $repo) { pullRequest(number: $number) { headRefOid } }
}`;

describe("isWriteRequest", () => {
  it.each([
    ["GET", "/repos/o/r/pulls/1/files", undefined, false],
    ["HEAD", "/repos/o/r", undefined, false],
    ["POST", "/repos/o/r/check-runs", undefined, true],
    ["PATCH", "/repos/o/r/check-runs/7", undefined, true],
    ["PUT", "/repos/o/r/pulls/1/merge", undefined, true],
    ["DELETE", "/repos/o/r/issues/1/labels/risk%3Ahigh", undefined, true],
    ["POST", "/repos/o/r/issues/1/comments", undefined, true],
    // The token request is the throttling plugin's own exception, and stays one.
    ["POST", "/app/installations/42/access_tokens", undefined, false],
    ["POST", "/graphql", SNAPSHOT_QUERY, false],
    ["POST", "/graphql", "{ viewer { login } }", false],
    ["POST", "https://ghe.example/api/graphql", "query { viewer { login } }", false],
    ["POST", "/graphql", "# a comment that says mutation\nquery { viewer { login } }", false],
    ["POST", "/graphql", "mutation { addComment(input: {}) { clientMutationId } }", true],
    ["POST", "/graphql", "  mutation Add { addComment(input: {}) { clientMutationId } }", true],
    ["POST", "/graphql", "subscription { x }", true],
    // A document with a query and a mutation in it changes something: it is a write.
    ["POST", "/graphql", "query A { viewer { login } } mutation B { addStar(input: {}) { clientMutationId } }", true],
    // A word it cannot read as a query, or no document at all: a write (the safe side).
    ["POST", "/graphql", "fragment F on User { login }", true],
    ["POST", "/graphql", undefined, true],
  ])("%s %s %j → write: %s", (method, url, query, write) => {
    expect(isWriteRequest({ method, url, query })).toBe(write);
  });
});

describe("the write gate of the app's client", () => {
  const INSTALLATION = 4242;
  const api = "https://api.github.com";

  useNock();
  afterEach(() => {
    jest.restoreAllMocks();
  });

  /** A counting stand-in for the shared 1-second write queue. */
  function countingGroup(): WriteGroup & { waited: string[] } {
    const waited: string[] = [];
    return {
      waited,
      key: (id) => ({
        schedule: (_options, task) => {
          waited.push(id);
          return task();
        },
      }),
    };
  }

  async function installationClient(group: WriteGroup) {
    nock(api)
      .post(`/app/installations/${INSTALLATION}/access_tokens`)
      .reply(201, { token: "ghs_gate", expires_at: new Date(Date.now() + 3600_000).toISOString() });
    const probot = new Probot({
      appId: TEST_APP_ID,
      privateKey: TEST_PRIVATE_KEY,
      log: pino({ level: "silent" }),
      Octokit: guardrailsOctokit({}, group),
    });
    return probot.auth(INSTALLATION);
  }

  it("lets queries and REST reads through at once, and makes every write wait for the installation's slot", async () => {
    const group = countingGroup();
    const pluginQueue = jest.spyOn(PLUGIN_WRITE_QUEUE_OFF, "key");
    const octokit = await installationClient(group);
    nock(api)
      .post("/graphql")
      .times(2)
      .reply(200, { data: { repository: { pullRequest: { headRefOid: "abc" } } } })
      .get("/repos/o/r/pulls/1/files")
      .query(true)
      .reply(200, [])
      .post("/repos/o/r/check-runs")
      .reply(201, { id: 7 })
      .patch("/repos/o/r/check-runs/7")
      .reply(200, { id: 7 })
      .post("/graphql")
      .reply(200, { data: { addComment: { clientMutationId: null } } });

    await octokit.graphql(SNAPSHOT_QUERY, { owner: "o", repo: "r", number: 1 });
    await octokit.graphql("{ viewer { login } }");
    await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/files", {
      owner: "o",
      repo: "r",
      pull_number: 1,
    });
    expect(group.waited).toEqual([]);

    await octokit.request("POST /repos/{owner}/{repo}/check-runs", {
      owner: "o",
      repo: "r",
      name: "guardrails",
      head_sha: "abc",
    });
    await octokit.request("PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", {
      owner: "o",
      repo: "r",
      check_run_id: 7,
      status: "completed",
    });
    await octokit.graphql('mutation { addComment(input: {subjectId: "x", body: "y"}) { clientMutationId } }');
    expect(group.waited).toEqual([
      `installation-${INSTALLATION}`,
      `installation-${INSTALLATION}`,
      `installation-${INSTALLATION}`,
    ]);

    // The throttling plugin's own write queue (which counted every GraphQL request as a write) is
    // the pass-through: it saw the three GraphQL requests and the two REST writes, and held none.
    expect(pluginQueue).toHaveBeenCalledTimes(5);
    expect(nock.isDone()).toBe(true);
  });

  it("leaves spacing to nobody when throttling is turned off (the unit tests' clients)", async () => {
    const group = countingGroup();
    nock(api)
      .post(`/app/installations/${INSTALLATION}/access_tokens`)
      .reply(201, { token: "ghs_gate", expires_at: new Date(Date.now() + 3600_000).toISOString() });
    const Octokit = guardrailsOctokit({}, group).defaults((options: OctokitOptions) => ({
      ...options,
      throttle: { ...options.throttle, enabled: false },
    }));
    const probot = new Probot({
      appId: TEST_APP_ID,
      privateKey: TEST_PRIVATE_KEY,
      log: pino({ level: "silent" }),
      Octokit,
    });
    const octokit = await probot.auth(INSTALLATION);
    nock(api).post("/repos/o/r/check-runs").reply(201, { id: 7 });
    await octokit.request("POST /repos/{owner}/{repo}/check-runs", {
      owner: "o",
      repo: "r",
      name: "guardrails",
      head_sha: "abc",
    });
    expect(group.waited).toEqual([]);
    expect(nock.isDone()).toBe(true);
  });
});

describe("a token GitHub refuses", () => {
  const INSTALLATION = 4343;
  const api = "https://api.github.com";
  useNock();

  it("is dropped after a 401, so the next request of the installation gets a new one (Probot kept it until it expired)", async () => {
    const tokenRequests: string[] = [];
    const expiresAt = () => new Date(Date.now() + 3600_000).toISOString();
    nock(api)
      .post(`/app/installations/${INSTALLATION}/access_tokens`)
      .times(2)
      .reply(201, () => {
        tokenRequests.push(`ghs_token_${tokenRequests.length + 1}`);
        return { token: tokenRequests.at(-1), expires_at: expiresAt() };
      });
    // @octokit/auth-app retries a 401 for 5 s after creating the token (replication delay): this
    // test waits that long once.
    nock(api)
      .get("/repos/o/r")
      .matchHeader("authorization", "token ghs_token_1")
      .times(10)
      .reply(401, { message: "Bad credentials" });
    nock(api).get("/repos/o/r").matchHeader("authorization", "token ghs_token_2").reply(200, { id: 1 });
    const probot = new Probot({
      appId: TEST_APP_ID,
      privateKey: TEST_PRIVATE_KEY,
      log: pino({ level: "silent" }),
      Octokit: guardrailsOctokit(),
    });

    const first = await probot.auth(INSTALLATION);
    await expect(first.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" })).rejects.toMatchObject({
      status: 401,
    });
    const next = await probot.auth(INSTALLATION);
    await expect(next.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" })).resolves.toMatchObject({
      status: 200,
    });
    expect(tokenRequests).toEqual(["ghs_token_1", "ghs_token_2"]);
  }, 20_000);

  it("forgetToken drops the installation's entry of the cache, and does nothing without one", () => {
    const cache = new Map<string, string>([
      ["4343", "ghs_x|..."],
      ["99", "ghs_y|..."],
    ]);
    expect(forgetToken(cache, 4343)).toBe(true);
    expect([...cache.keys()]).toEqual(["99"]);
    expect(forgetToken(undefined, 4343)).toBe(false);
  });
});
