/**
 * The Grafana dashboard and the alert rules query only metrics the app exports: every expression
 * is parsed with Prometheus's own PromQL grammar (lezer-promql), and every metric it selects must
 * be a family in the app's exposition, read with a real exposition parser. The rules are also
 * checked by promtool, Prometheus's own tool, as is the exposition's naming.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { parse as parseYaml } from "yaml";
import { collectProcessMetrics, exposition, observeEnforcement, observeQueue } from "../../src/metrics/metrics.js";
import { parseExposition } from "../support/prometheus.js";
import { dashboardExpressions, selectedMetrics, type DashboardPanels } from "../support/promql.js";

const root = new URL("../../", import.meta.url);
/** The dashboard's fields these tests read (its panels' queries among them). */
interface Dashboard extends DashboardPanels {
  title: string;
  panels: (DashboardPanels["panels"][number] & { id: number })[];
  templating: { list: { name: string; type: string; query?: string }[] };
  __inputs?: { name: string }[];
}
const dashboard = JSON.parse(readFileSync(new URL("deploy/grafana-dashboard.json", root), "utf8")) as Dashboard;
const alertsText = readFileSync(new URL("deploy/prometheus-alerts.yml", root), "utf8");
const alerts = parseYaml(alertsText) as { groups: { rules: { alert: string; expr: string }[] }[] };

/** A histogram's series are `<family>_bucket`, `_sum` and `_count`. */
function familyOf(name: string, families: Set<string>): string | undefined {
  if (families.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, "");
  return families.has(base) ? base : undefined;
}

async function exportedFamilies(): Promise<Set<string>> {
  collectProcessMetrics();
  observeQueue({ queued: () => 0, inFlight: () => 0 });
  observeEnforcement({ counts: () => ({ pinned: 0, required_unpinned: 0, not_required: 0, unknown: 0 }) });
  return new Set(parseExposition(await exposition()).map((f) => f.name));
}

describe("the Grafana dashboard", () => {
  it("is an importable dashboard with the panels operators and teams look for", () => {
    expect(dashboard).toMatchObject({ title: "Guardrails", uid: "guardrails", schemaVersion: expect.any(Number) });
    const titles = dashboard.panels.map((p) => p.title).join("\n");
    for (const topic of [
      /tier mix/i,
      /review wait/i,
      /agent share/i,
      /overrides/i,
      /evaluation latency/i,
      /github budget/i,
      /enforcement health/i,
    ])
      expect(titles).toMatch(topic);
    // Unique ids and a datasource variable, so Grafana imports it into any Prometheus.
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ type: "datasource", query: "prometheus" }),
    );
  });

  it("declares what it uses and uses what it declares: every ${variable} is a variable or an import input, and every one is used", () => {
    const text = JSON.stringify(dashboard);
    // Grafana's own variables start with `__` ($__rate_interval, $__interval).
    const referenced = new Set(
      [...text.matchAll(/\$\{(\w+)(?::\w+)?\}|\$(\w+)\b/g)]
        .map((m) => m[1] ?? m[2]!)
        .filter((name) => !name.startsWith("__")),
    );
    const variables = dashboard.templating.list.map((v) => v.name);
    const inputs = (dashboard.__inputs ?? []).map((i) => i.name);
    expect([...referenced].filter((name) => !variables.includes(name) && !inputs.includes(name))).toEqual([]);
    expect([...variables, ...inputs].filter((name) => !referenced.has(name))).toEqual([]);
  });

  it("queries only metrics that GET /metrics exports", async () => {
    const families = await exportedFamilies();
    const expressions = dashboardExpressions(dashboard);
    expect(expressions.length).toBeGreaterThanOrEqual(15);
    const unknown = expressions.flatMap(({ panel, expr }) =>
      selectedMetrics(expr)
        .filter((name) => !familyOf(name, families))
        .map((name) => `${panel}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });
});

describe("the alert rules", () => {
  it("select only exported metrics", async () => {
    const families = await exportedFamilies();
    const rules = alerts.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(["GuardrailsEvaluationsFailing", "GuardrailsRateLimitLow"]),
    );
    const unknown = rules.flatMap((r) =>
      selectedMetrics(r.expr)
        .filter((name) => !familyOf(name, families))
        .map((name) => `${r.alert}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it("pass promtool check rules", () => {
    const output = execFileSync(
      "promtool",
      ["check", "rules", fileURLToPathString(new URL("deploy/prometheus-alerts.yml", root))],
      { encoding: "utf8" },
    );
    expect(output).toContain("SUCCESS: 4 rules found");
  });
});

describe("the exposition", () => {
  it("parses and follows Prometheus's naming conventions: promtool check metrics passes on the whole scrape", async () => {
    collectProcessMetrics();
    const text = await exposition();
    const families = parseExposition(text);
    const ours = families.filter((f) => f.name.startsWith("guardrails_"));
    expect(ours.length).toBeGreaterThanOrEqual(15);
    for (const family of ours) {
      if (family.type === "COUNTER") expect(family.name).toMatch(/_total$/);
      if (family.type === "HISTOGRAM") expect(family.name).toMatch(/_seconds$/);
      expect(family.help.length).toBeGreaterThan(10);
    }
    // promtool lints names, units and help; it prints nothing when all is well. The whole scrape
    // (GET /metrics serves this text), prom-client's process metrics included.
    expect(text).toContain("# TYPE nodejs_active_handles gauge");
    expect(text).not.toMatch(/^nodejs_active_\w+_total/m);
    const dir = mkdtempSync(join(tmpdir(), "guardrails-metrics-"));
    writeFileSync(join(dir, "metrics.txt"), text);
    const lint = execFileSync(
      "sh",
      ["-c", `promtool check metrics < "${join(dir, "metrics.txt")}" 2>&1; echo "exit=$?"`],
      { encoding: "utf8" },
    );
    expect(lint.trim()).toBe("exit=0");
  });
});

function fileURLToPathString(url: URL): string {
  return decodeURIComponent(url.pathname);
}
