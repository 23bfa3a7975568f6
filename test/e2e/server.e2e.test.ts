/**
 * End to end: the built server (`node dist/server.js`) as a child process in production mode,
 * talking to a GitHub Enterprise stand-in on 127.0.0.1, receiving signed webhooks over HTTP.
 * Payloads are real examples from @octokit/webhooks-examples, adjusted to the fake repository.
 * Results are awaited by polling (the app's throttling spaces writes about a second apart).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { FakeGitHub, sha, type FakePullRequest, type FakeRepository } from "../support/fake-github.js";
import { faults, GitHubStandIn } from "../support/github-stand-in.js";
import { forPullRequest, forRepository } from "../support/payloads.js";
import type { ExampleBase, ExamplePullRequest } from "../support/example-types.js";
import { freePort, ServerProcess, type LogLine } from "../support/server-process.js";
import { examplePayload, examplePayloads } from "../support/test-probot.js";

jest.setTimeout(60_000);

const APP_ID = 4242;
const INSTALLATION_ID = 777;
const OWNER = "acme-e2e";
const REPO = "payments";
const PR_NUMBER = 42;
const CHECKLIST_ITEM = "Rollback plan is described in the PR";
const POLICY = `version: 1
default_tier: low
rules:
  - name: auth
    description: Authentication and sessions
    tier: high
    paths: ["src/auth/**"]
tiers:
  high:
    approvals: 1
    checklist:
      - ${CHECKLIST_ITEM}
labels:
  prefix: "risk:"
`;

const adjust = <P extends ExampleBase>(payload: P, repo: FakeRepository) =>
  forRepository(payload, repo, INSTALLATION_ID);
const adjustPullRequest = <P extends ExampleBase & { pull_request: ExamplePullRequest }>(
  payload: P,
  repo: FakeRepository,
  pr: FakePullRequest,
) => forPullRequest(payload, repo, INSTALLATION_ID, pr);

const isDecision = (event: string) => (line: LogLine) => line.msg === "decision" && line.event === event;

describe("the built server against a GitHub stand-in", () => {
  // The fake answers for the app id and installation the server is configured with.
  const fake = new FakeGitHub(APP_ID, INSTALLATION_ID);
  const standIn = new GitHubStandIn({ fake });
  let server: ServerProcess;
  let repo: FakeRepository;
  let pr: FakePullRequest;

  beforeAll(async () => {
    repo = fake.addRepository({ owner: OWNER, name: REPO, policy: POLICY, defaultBranch: "main" });
    repo.collaborators = { alice: "write", dev: "write" };
    pr = fake.addPullRequest(repo, {
      number: PR_NUMBER,
      headSha: sha("e2e-head"),
      author: { login: "dev" },
      files: [
        { filename: "src/auth/session.ts", status: "modified", additions: 12, deletions: 3 },
        { filename: "README.md", status: "modified", additions: 1, deletions: 0 },
      ],
    });
    await standIn.start();
    server = await ServerProcess.start({
      appId: APP_ID,
      githubHost: standIn.host,
      // Debug logs say the most, which makes "never logs a secret" a stronger claim.
      logLevel: "debug",
      env: { WEBHOOK_RESPONSE_TIMEOUT_MS: "500" },
    });
  });

  afterAll(async () => {
    await server?.stop().catch(() => undefined);
    await standIn.stop();
  });

  it("answers /healthz with 200 and JSON", async () => {
    const answer = await server.request("GET", "/healthz");
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body)).toMatchObject({ status: "ok", inFlight: 0 });
  });

  it("gates a PR that touches a protected path until it is approved and its checklist ticked", async () => {
    const runsOfHead = () => fake.checkRunsFor(repo, pr.headSha);

    // 1. Opened: high tier, a failing check, the checklist comment and the label.
    const opened = adjustPullRequest(examplePayload("pull_request", "opened"), repo, pr);
    const delivery = "e2e-opened-1";
    const answer = await server.sendWebhook("pull_request", opened, { delivery });
    // Four throttled writes take seconds: the delivery is answered 202 after
    // WEBHOOK_RESPONSE_TIMEOUT_MS while the evaluation goes on.
    expect(answer.status).toBe(202);
    await server.waitForLog(isDecision("pull_request.opened"));

    expect(runsOfHead()).toHaveLength(1);
    const run = runsOfHead()[0]!;
    expect(run).toMatchObject({
      name: "guardrails",
      status: "completed",
      conclusion: "failure",
      appId: APP_ID,
      externalId: String(PR_NUMBER),
    });
    expect(run.title).toBe("High risk · missing: 1 more approval, checklist (0/1)");
    expect(run.summary).toContain(
      "| rule `auth`: Authentication and sessions | high | 1 file: `src/auth/session.ts` |",
    );
    expect(run.summary).toContain("| ❌ | Approvals <sub>tier:high</sub> | 1 approval required, 0 valid |");
    expect(run.summary).toContain(
      `| ❌ | Checklist <sub>tier:high</sub> | 0 of 1 checklist item ticked | Tick in the Guardrails comment: "${CHECKLIST_ITEM}" |`,
    );
    expect(run.summary).toContain("**Requirements**: 1 of 3 met.");
    expect(run.summary).toContain(
      `Policy: \`${OWNER}/${REPO}\` \`.github/guardrails.yml\` at \`${repo.branches.main!.sha.slice(0, 7)}\`.`,
    );
    expect(run.actions).toEqual([expect.objectContaining({ identifier: "reevaluate" })]);
    expect(pr.comments).toHaveLength(1);
    expect(pr.comments[0]!.body).toContain("<!-- guardrails:checklist -->");
    expect(pr.comments[0]!.body).toContain(`- [ ] ${CHECKLIST_ITEM}`);
    expect(pr.labels).toEqual(["risk:high"]);
    expect(repo.labels.get("risk:high")).toMatchObject({ color: "d93f0b" });
    // The policy came from the base branch through the GitHub Enterprise paths.
    expect(fake.requests.some((r) => r.path.startsWith(`/repos/${OWNER}/${REPO}/git/blobs/`))).toBe(true);
    expect(standIn.served.some((r) => r.path === "/graphql" && r.operation === "GuardrailsPullRequest")).toBe(true);

    // 2. An approval on the head commit: one requirement left, still failing.
    pr.reviews.push({ user: "alice", state: "APPROVED", commit: pr.headSha, association: "MEMBER" });
    const review = adjustPullRequest(
      examplePayloads("pull_request_review").find((p) => p.action === "submitted")!,
      repo,
      pr,
    );
    Object.assign(review.review, { state: "approved", commit_id: pr.headSha, author_association: "MEMBER" });
    review.review.user.login = "alice";
    review.sender.login = "alice";
    expect([200, 202]).toContain((await server.sendWebhook("pull_request_review", review)).status);
    await server.waitForLog(isDecision("pull_request_review.submitted"));
    expect(runsOfHead()).toHaveLength(1);
    expect(runsOfHead()[0]).toMatchObject({ conclusion: "failure", title: "High risk · missing: checklist (0/1)" });

    // 3. Alice (write access) ticks the checklist item in the comment: the check passes.
    const comment = pr.comments[0]!;
    const before = comment.body;
    const ticked = before.replace(`- [ ] ${CHECKLIST_ITEM}`, `- [x] ${CHECKLIST_ITEM}`);
    expect(ticked).not.toBe(before);
    comment.body = ticked; // GitHub stores the person's edit before it sends the event
    const edited = adjust(examplePayload("issue_comment", "edited"), repo);
    edited.issue.number = PR_NUMBER;
    edited.issue.pull_request = {
      url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${PR_NUMBER}`,
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${PR_NUMBER}`,
      diff_url: `https://github.com/${OWNER}/${REPO}/pull/${PR_NUMBER}.diff`,
      patch_url: `https://github.com/${OWNER}/${REPO}/pull/${PR_NUMBER}.patch`,
    };
    Object.assign(edited.comment, {
      id: comment.id,
      body: ticked,
      performed_via_github_app: { id: APP_ID, slug: "guardrails", name: "Guardrails" },
    });
    Object.assign(edited.comment.user, { login: "guardrails[bot]", type: "Bot" });
    edited.changes = { body: { from: before } };
    Object.assign(edited.sender, { login: "alice", type: "User" });
    expect([200, 202]).toContain((await server.sendWebhook("issue_comment", edited)).status);
    await server.waitForLog(isDecision("issue_comment.edited"));

    expect(runsOfHead()).toHaveLength(1);
    const passed = runsOfHead()[0]!;
    expect(passed).toMatchObject({
      status: "completed",
      conclusion: "success",
      title: "High risk · all 3 requirements met",
    });
    expect(passed.text).toContain(`☑ ${CHECKLIST_ITEM}: ticked by @\u200dalice`);
    expect(pr.comments).toHaveLength(1);
    expect(pr.comments[0]!.body).toContain(`- [x] ${CHECKLIST_ITEM} <sub>ticked by @\u200dalice</sub>`);
    expect(pr.labels).toEqual(["risk:high"]);
    // Alice's permission was asked once, through the REST path of GitHub Enterprise.
    expect(
      fake.requests.filter((r) => r.path === `/repos/${OWNER}/${REPO}/collaborators/alice/permission`),
    ).toHaveLength(1);

    // 4. A redelivery of the first event finds everything as it should be (the ticks survive) and writes nothing.
    const writesBefore = fake.writes().length;
    expect([200, 202]).toContain((await server.sendWebhook("pull_request", opened, { delivery })).status);
    const again = await server.waitFor(
      () => server.logs().filter(isDecision("pull_request.opened"))[1],
      20_000,
      "the second decision",
    );
    expect(again).toMatchObject({ conclusion: "success", writes: 0 });
    expect(fake.writes()).toHaveLength(writesBefore);
    expect(runsOfHead()[0]).toMatchObject({ conclusion: "success" });
  });

  it("fails the check closed, with a plain message, when GitHub answers an error", async () => {
    const other = fake.addPullRequest(repo, {
      number: PR_NUMBER + 1,
      author: { login: "dev" },
      files: [{ filename: "docs/intro.md", status: "modified", additions: 1, deletions: 1 }],
    });
    const fault = standIn.addFault({
      method: "GET",
      path: new RegExp(`/pulls/${other.number}/files$`),
      ...faults.notFound(),
    });
    const payload = adjustPullRequest(examplePayload("pull_request", "opened"), repo, other);
    expect([200, 202]).toContain((await server.sendWebhook("pull_request", payload)).status);
    const failed = await server.waitFor(
      () => fake.checkRunsFor(repo, other.headSha).find((run) => run.status === "completed"),
      20_000,
      "the failing check",
    );
    expect(fault.hits).toBeGreaterThanOrEqual(1);
    expect(failed).toMatchObject({
      conclusion: "failure",
      title: "Evaluation failed · the pull request is blocked until it succeeds",
    });
    expect(failed.summary).toContain(
      `GitHub answered 404 Not Found on GET /api/v3/repos/${OWNER}/${REPO}/pulls/${other.number}/files`,
    );
    expect(failed.actions).toEqual([expect.objectContaining({ identifier: "reevaluate" })]);
    const logged = await server.waitForLog(
      (line) => String(line.msg).startsWith("evaluation failed") && line.pr === `${OWNER}/${REPO}#${other.number}`,
    );
    expect(logged).toMatchObject({ level: 50, head: other.headSha, event: "pull_request.opened" });
    expect(other.comments).toEqual([]);
    expect(other.labels).toEqual([]);
  });

  it("logs each decision as one structured JSON line", () => {
    const decisions = server.logs().filter((line) => line.msg === "decision");
    expect(decisions.map((line) => line.event)).toEqual([
      "pull_request.opened",
      "pull_request_review.submitted",
      "issue_comment.edited",
      "pull_request.opened",
    ]);
    const policy = {
      kind: "repository",
      repository: `${OWNER}/${REPO}`,
      path: ".github/guardrails.yml",
      commit: repo.branches.main!.sha,
    };
    expect(decisions[0]).toMatchObject({
      level: 30,
      repository: `${OWNER}/${REPO}`,
      pr: PR_NUMBER,
      head: pr.headSha,
      tier: "high",
      conclusion: "failure",
      unmet: ["approvals", "checklist"],
      policy,
    });
    expect(decisions[1]).toMatchObject({ tier: "high", conclusion: "failure", unmet: ["checklist"], policy });
    expect(decisions[2]).toMatchObject({ tier: "high", conclusion: "success", unmet: [], policy });
    // Every line the server printed is JSON (pino), not pretty text.
    const notJson = server.lines.filter((line) => {
      try {
        return typeof JSON.parse(line) !== "object";
      } catch {
        return true;
      }
    });
    expect(notJson).toEqual([]);
    // Each key once (Probot binds `name` at every logger level; strict JSON readers refuse
    // repeated keys): a line with a repeated key would come out shorter written again.
    const repeatedKeys = server.lines.filter((line) => JSON.stringify(JSON.parse(line)) !== line);
    expect(repeatedKeys).toEqual([]);
    expect(decisions[0]!.name).toBe("event");
  });

  it("refuses a delivery with a bad signature (401) and does nothing with it", async () => {
    const requestsBefore = fake.requests.length;
    const runsBefore = JSON.stringify(fake.checkRuns);
    const payload = adjustPullRequest(examplePayload("pull_request", "synchronize"), repo, {
      ...pr,
      headSha: sha("forged-head"),
    });
    const answer = await server.sendWebhook("pull_request", payload, { secret: "not-the-secret" });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toEqual({ error: "signature does not match" });
    const health = JSON.parse((await server.request("GET", "/healthz")).body) as { inFlight: number };
    expect(health.inFlight).toBe(0);
    expect(fake.requests).toHaveLength(requestsBefore);
    expect(JSON.stringify(fake.checkRuns)).toBe(runsBefore);
    const warning = await server.waitForLog((line) => line.msg === "webhook refused: signature does not match");
    expect(warning).toMatchObject({ level: 40, name: "guardrails", event: "pull_request" });
  });

  it("answers 400 to a delivery without a signature and to invalid JSON with a valid signature", async () => {
    const requestsBefore = fake.requests.length;
    const payload = adjustPullRequest(examplePayload("pull_request", "opened"), repo, pr);
    const unsigned = await server.sendWebhook("pull_request", payload, { signature: null });
    expect(unsigned.status).toBe(400);
    expect(unsigned.body).toContain("X-Hub-Signature-256");

    const invalid = await server.sendWebhook("pull_request", undefined, {
      rawBody: '{"action": "opened", "number": 42,',
    });
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.body)).toEqual({ error: "body is not valid JSON" });
    expect(fake.requests).toHaveLength(requestsBefore);
  });

  it("answers 413 to bodies over 25 MB, declared or chunked, and stays up", async () => {
    const limit = 25 * 1024 * 1024;
    const tooLarge = Buffer.alloc(limit + 1, 0x20);
    const declared = await server.sendWebhook("pull_request", undefined, { rawBody: tooLarge });
    expect(declared.status).toBe(413);
    const chunked = await server.sendWebhook("pull_request", undefined, { rawBody: tooLarge, chunked: true });
    expect(chunked.status).toBe(413);

    const health = await server.request("GET", "/healthz");
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: "ok" });
  });

  it("never logs the private key, the installation token or the webhook secret", () => {
    const output = server.output();
    // The app did receive a token from the fake, so its absence from the logs means something.
    expect(fake.requests.some((r) => r.path === `/app/installations/${INSTALLATION_ID}/access_tokens`)).toBe(true);
    expect(output).not.toContain("ghs_test_token_");
    expect(output).not.toContain(server.webhookSecret!);
    expect(output).not.toContain("PRIVATE KEY");
    const keyLines = server.privateKey.split("\n").filter((line) => line.length > 40);
    expect(keyLines.length).toBeGreaterThan(10);
    for (const line of keyLines) expect(output).not.toContain(line);
  });

  it("stops cleanly on SIGTERM", async () => {
    const exit = await server.stop("SIGTERM");
    expect(exit).toEqual({ code: 0, signal: null });
    expect(server.logs().some((line) => line.signal === "SIGTERM" && String(line.msg).startsWith("stopping"))).toBe(
      true,
    );
  });
});

describe("the built server's configuration checks", () => {
  it("refuses to start in production without a webhook secret", async () => {
    const server = ServerProcess.spawn(
      { appId: APP_ID, githubHost: "127.0.0.1:9", webhookSecret: null },
      await freePort(),
    );
    const exit = await server.exited;
    expect(exit.code).toBe(1);
    expect(server.output()).toContain("guardrails: WEBHOOK_SECRET is required when NODE_ENV=production");
    await server.stop();
  });
});
