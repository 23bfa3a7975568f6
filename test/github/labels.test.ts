/**
 * The tier label: exactly one `<prefix><tier>`, created with a colour when the repository lacks
 * it, swapped when the tier changes, left alone when nothing changed, off with `prefix: false`.
 */
import { describe, expect, it } from "@jest/globals";
import { KnownLabels, planTierLabel } from "../../src/reconcile/labels.js";
import { bodyOf, FILES, POLICY, sha, sorted, useFakeGitHubNetwork, World } from "./harness.js";

useFakeGitHubNetwork();

const labelCalls = (w: World, mark: number) => w.since(mark).filter((r) => r.path.includes("/labels"));

describe("the tier label", () => {
  it.each([
    ["low", FILES.low, "0e8a16", "Guardrails: low risk"],
    ["medium", FILES.medium, "fbca04", "Guardrails: medium risk"],
    ["high", FILES.high, "d93f0b", "Guardrails: high risk, mandatory oversight"],
  ])("is created with its colour when the repository lacks it (%s)", async (tier, files, color, description) => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(labelCalls(w, 0).map((r) => [`${r.method} ${r.path}`, bodyOf(r)])).toEqual([
      [`POST ${w.base}/labels`, { name: `risk:${tier}`, color, description }],
      [`POST ${w.base}/issues/2/labels`, { labels: [`risk:${tier}`] }],
    ]);
    expect(w.repo.labels.get(`risk:${tier}`)).toEqual({ color, description });
    expect(pr.labels).toEqual([`risk:${tier}`]);
  });

  it("an existing label of the repository is kept (its 422 on create is not an error)", async () => {
    const w = new World({ policy: POLICY });
    w.repo.labels.set("risk:medium", { color: "123456", description: "ours" });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(labelCalls(w, 0).map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${w.base}/labels`,
      `POST ${w.base}/issues/2/labels`,
    ]);
    expect(w.repo.labels.get("risk:medium")).toEqual({ color: "123456", description: "ours" });
    expect(pr.labels).toEqual(["risk:medium"]);
    expect(w.checkRuns()[0]).toMatchObject({ conclusion: "failure", title: "Medium risk · missing: 1 more approval" });
  });

  it("is swapped when the tier changes: the old one removed, the new one created and added", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, labels: ["bug"], files: FILES.medium });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(pr.labels).toEqual(["bug", "risk:medium"]);

    pr.files = [...FILES.medium, ...FILES.high];
    pr.headSha = sha("touches auth");
    const mark = w.mark();
    await w.receive("pull_request", w.pullRequestEvent("synchronize", pr));
    expect(
      labelCalls(w, mark).map((r) => [`${r.method} ${r.path}`, r.method === "DELETE" ? undefined : bodyOf(r)]),
    ).toEqual([
      [`DELETE ${w.base}/issues/2/labels/risk%3Amedium`, undefined],
      [
        `POST ${w.base}/labels`,
        { name: "risk:high", color: "d93f0b", description: "Guardrails: high risk, mandatory oversight" },
      ],
      [`POST ${w.base}/issues/2/labels`, { labels: ["risk:high"] }],
    ]);
    expect(pr.labels).toEqual(["bug", "risk:high"]);

    // Back to medium: risk:medium exists now (created in this process), so it is only added.
    pr.files = FILES.medium;
    pr.headSha = sha("auth change reverted");
    const back = w.mark();
    await w.receive("pull_request", w.pullRequestEvent("synchronize", pr));
    expect(labelCalls(w, back).map((r) => `${r.method} ${r.path}`)).toEqual([
      `DELETE ${w.base}/issues/2/labels/risk%3Ahigh`,
      `POST ${w.base}/issues/2/labels`,
    ]);
    expect(pr.labels).toEqual(["bug", "risk:medium"]);
  });

  it("a tier label someone else adds is removed again, the right one kept", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    pr.labels.push("risk:low");
    pr.labelEvents.push({ label: "risk:low", actor: "Codertocat" });
    const mark = w.mark();
    await w.receive(
      "pull_request",
      w.pullRequestEvent("labeled", pr, (p) => (p.label!.name = "risk:low")),
    );
    expect(sorted(w.calls(mark))).toEqual(
      sorted([
        `GET ${w.base}/pulls/2/files?page=1`,
        "POST /graphql GuardrailsPullRequest",
        `DELETE ${w.base}/issues/2/labels/risk%3Alow`,
      ]),
    );
    expect(pr.labels).toEqual(["risk:high"]);
  });

  it("the app's own label events are ignored without a call when its slug is known", async () => {
    const w = new World({ policy: POLICY, app: { appSlug: "guardrails" } });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const mark = w.mark();
    for (const action of ["labeled", "unlabeled"]) {
      await w.receive(
        "pull_request",
        w.pullRequestEvent(action, pr, (p) => {
          p.label!.name = "risk:medium";
          p.sender.login = "guardrails[bot]";
          p.sender.type = "Bot";
        }),
      );
    }
    expect(w.fake.requests.slice(mark)).toEqual([]);
  });

  it("`labels.prefix: false` turns labels off", async () => {
    const w = new World({
      policy: `${POLICY.replace(/labels:\n {2}prefix: "risk:"\n/, "")}labels:\n  prefix: false\n`,
    });
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    expect(labelCalls(w, 0)).toEqual([]);
    expect(w.checkRuns()[0]).toMatchObject({ title: "High risk · missing: 1 more approval, checklist (0/2)" });
  });

  it("a redelivered event writes nothing", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.high });
    const payload = w.pullRequestEvent("opened", pr);
    await w.receive("pull_request", payload, "delivery-a");
    const mark = w.mark();
    await w.receive("pull_request", payload, "delivery-a");
    expect(w.writesSince(mark)).toEqual([]);
    expect(sorted(w.calls(mark))).toEqual(
      sorted([`GET ${w.base}/pulls/2/files?page=1`, "POST /graphql GuardrailsPullRequest"]),
    );
  });
});

describe("the cache of labels known to exist", () => {
  it("holds at most its limit of repositories' labels, forgetting the oldest first", () => {
    const known = new KnownLabels(1000);
    const wanted = { prefix: "risk:", tier: "low" as const, overridden: false };
    // The writes of one label change, remembering what was created (as the writer does).
    const label = (i: number) => {
      const writes = planTierLabel([], wanted, (name) => known.has(`o/r${i}`, name));
      for (const w of writes) if (w.kind === "create") known.remember(`o/r${i}`, w.name);
      return writes.map((w) => w.kind);
    };
    // First sight of a repository: create the label, then add it.
    expect(label(0)).toEqual(["create", "add"]);
    for (let i = 1; i <= known.limit; i++) label(i);
    // The newest repository is still known (only the add); r0, the oldest, was pushed out: created again.
    expect(label(known.limit)).toEqual(["add"]);
    expect(label(0)).toEqual(["create", "add"]);
  });
});
