/**
 * `GET /metrics` of the built server, after a few real deliveries: the exposition parses with a
 * real parser, carries the service and delegation figures the deliveries moved, every metric the
 * dashboard queries, no repository or user name in any label, and needs the token when one is set.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, jest } from "@jest/globals";
import { FakeGitHub, sha, type FakePullRequest, type FakeRepository } from "../support/fake-github.js";
import { GitHubStandIn } from "../support/github-stand-in.js";
import { forPullRequest, forRepository } from "../support/payloads.js";
import { parseExposition, type ParsedFamily } from "../support/prometheus.js";
import { dashboardExpressions, selectedMetrics, type DashboardPanels } from "../support/promql.js";
import { ServerProcess } from "../support/server-process.js";
import { examplePayload } from "../support/test-probot.js";

jest.setTimeout(60_000);

const APP_ID = 4343;
const INSTALLATION_ID = 878;
const OWNER = "acme-metrics";
const REPO = "secret-project";
const TOKEN = "scrape-token-for-tests";
const POLICY = `version: 1
default_tier: medium
rules:
  - name: docs
    tier: low
    paths: ["docs/**"]
tiers:
  low: {}
  medium: { approvals: 1 }
labels: { prefix: false }
`;

/** The series of a family (counters and gauges) as label sets with values. */
function series(families: ParsedFamily[], name: string): { labels: Record<string, string>; value: number }[] {
  return (families.find((f) => f.name === name)?.metrics ?? []).map((m) => ({
    labels: m.labels ?? {},
    value: Number(m.value),
  }));
}

describe("GET /metrics on the built server", () => {
  const fake = new FakeGitHub(APP_ID, INSTALLATION_ID);
  const standIn = new GitHubStandIn({ fake });
  let server: ServerProcess;
  let repo: FakeRepository;
  let low: FakePullRequest;
  let medium: FakePullRequest;

  beforeAll(async () => {
    repo = fake.addRepository({ owner: OWNER, name: REPO, policy: POLICY, defaultBranch: "main" });
    low = fake.addPullRequest(repo, {
      number: 7,
      headSha: sha("metrics-low"),
      author: { login: "dev" },
      files: [{ filename: "docs/a.md", status: "modified", additions: 1, deletions: 0 }],
    });
    medium = fake.addPullRequest(repo, {
      number: 8,
      headSha: sha("metrics-medium"),
      author: { login: "dev" },
      files: [{ filename: "src/a.ts", status: "modified", additions: 1, deletions: 0 }],
    });
    await standIn.start();
    server = await ServerProcess.start({ appId: APP_ID, githubHost: standIn.host, env: { METRICS_TOKEN: TOKEN } });
  });

  afterAll(async () => {
    await server?.stop().catch(() => undefined);
    await standIn.stop();
  });

  it("needs the bearer token when METRICS_TOKEN is set", async () => {
    expect((await server.request("GET", "/metrics")).status).toBe(401);
    expect((await server.request("GET", "/metrics", { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await server.request("GET", "/metrics", { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(
      200,
    );
  });

  it("shows what a few deliveries did, in a format Prometheus parses", async () => {
    for (const pr of [low, medium]) {
      const answer = await server.sendWebhook(
        "pull_request",
        forPullRequest(examplePayload("pull_request", "opened"), repo, INSTALLATION_ID, pr),
      );
      expect([200, 202]).toContain(answer.status);
    }
    // An unsigned delivery, and an event the app does not act on.
    expect((await server.sendWebhook("pull_request", {}, { signature: "sha256=00" })).status).toBe(401);
    expect(
      (await server.sendWebhook("star", forRepository(examplePayload("star", "created"), repo, INSTALLATION_ID)))
        .status,
    ).toBe(200);
    await server.waitFor(
      () => fake.checkRunsFor(repo, medium.headSha).length === 1 && fake.checkRunsFor(repo, low.headSha).length === 1,
      20_000,
      "both checks",
    );

    const answer = await server.request("GET", "/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(answer.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parseExposition(answer.body);

    const evaluations = series(families, "guardrails_evaluations_total");
    expect(evaluations).toEqual(
      expect.arrayContaining([
        {
          labels: { tier: "low", conclusion: "success", trigger: "pull_request", agent: "false", mode: "enforce" },
          value: 1,
        },
        {
          labels: { tier: "medium", conclusion: "failure", trigger: "pull_request", agent: "false", mode: "enforce" },
          value: 1,
        },
      ]),
    );
    // The stand-in's repository has no ruleset and no branch protection: one repository not_required.
    expect(series(families, "guardrails_repositories")).toEqual(
      expect.arrayContaining([
        { labels: { enforcement: "not_required" }, value: 1 },
        { labels: { enforcement: "pinned" }, value: 0 },
      ]),
    );
    expect(series(families, "guardrails_pull_requests_total")).toEqual([{ labels: { agent: "false" }, value: 2 }]);
    const deliveries = series(families, "guardrails_webhook_deliveries_total");
    expect(deliveries).toEqual(
      expect.arrayContaining([
        { labels: { event: "unverified", outcome: "rejected_signature" }, value: 1 },
        { labels: { event: "star", outcome: "ignored" }, value: 1 },
      ]),
    );
    const pullRequestDeliveries = deliveries
      .filter((d) => d.labels.event === "pull_request")
      .reduce((sum, d) => sum + d.value, 0);
    expect(pullRequestDeliveries).toBe(2);
    expect(
      series(families, "guardrails_github_requests_total").some(
        (s) => s.labels.kind === "graphql" && s.labels.status_class === "2xx",
      ),
    ).toBe(true);
    expect(series(families, "guardrails_github_requests_total").some((s) => s.labels.kind === "rest_write")).toBe(true);
    expect(families.find((f) => f.name === "guardrails_evaluation_duration_seconds")?.type).toBe("HISTOGRAM");
    expect(families.find((f) => f.name === "process_resident_memory_bytes")).toBeDefined();

    // No repository, owner or user name anywhere in a label.
    const labelValues = families.flatMap((f) => f.metrics.flatMap((m) => Object.values(m.labels ?? {})));
    for (const name of [OWNER, REPO, "dev"]) expect(labelValues.filter((v) => v.includes(name))).toEqual([]);

    // Every metric the dashboard queries is a family here (the dashboard test parses the queries).
    const dashboard = JSON.parse(
      readFileSync(new URL("../../deploy/grafana-dashboard.json", import.meta.url), "utf8"),
    ) as DashboardPanels;
    const queried = new Set(
      dashboardExpressions(dashboard)
        .flatMap(({ expr }) => selectedMetrics(expr))
        .map((name) => name.replace(/_(bucket|sum|count)$/, "")),
    );
    const exported = new Set(families.map((f) => f.name));
    expect([...queried].filter((name) => !exported.has(name))).toEqual([]);
  });
});
