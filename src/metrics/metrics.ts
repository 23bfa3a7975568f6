/**
 * The app's Prometheus metrics, through prom-client (no hand-written exposition). One registry per
 * process, shared by every module that records something; `GET /metrics` serves it.
 *
 * Naming follows Prometheus's conventions: `guardrails_` prefix, `_total` for counters, base units
 * (`_seconds`), labels with a small fixed set of values. No repository, PR or user name is ever a
 * label (cardinality and privacy); the installation id is one only when METRICS_INSTALLATION_LABEL
 * is set (see `setInstallationLabel`).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export const registry = new Registry();

let defaultsCollected = false;
/** Node's process metrics (CPU, memory, event loop lag, GC), once per process. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: registry });
  // prom-client also names three gauges `nodejs_active_{handles,requests,resources}_total`, a
  // suffix Prometheus reserves for counters (`promtool check metrics` fails the scrape on them).
  // Each is the sum of the per-type gauge without `_total` (`sum(nodejs_active_handles)`): left out.
  for (const name of UNCONVENTIONAL_DEFAULT_GAUGES)
    if (registry.getSingleMetric(name)) registry.removeSingleMetric(name);
}

const UNCONVENTIONAL_DEFAULT_GAUGES = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

/** Outcomes of one webhook delivery at the HTTP front and in the app. */
export type DeliveryOutcome = "evaluated" | "ignored" | "rejected_signature" | "rejected" | "failed" | "accepted";

export const webhookDeliveries = new Counter({
  name: "guardrails_webhook_deliveries_total",
  help: "Webhook deliveries by event and outcome (evaluated, ignored, rejected_signature, rejected, failed; accepted = answered 202 while work went on)",
  labelNames: ["event", "outcome"] as const,
  registers: [registry],
});

export const evaluations = new Counter({
  name: "guardrails_evaluations_total",
  help: "Completed pull request evaluations by tier, conclusion, trigger, whether the PR is agent-authored and the policy's mode (enforce, evaluate)",
  labelNames: ["tier", "conclusion", "trigger", "agent", "mode"] as const,
  registers: [registry],
});

export const evaluationErrors = new Counter({
  name: "guardrails_evaluation_errors_total",
  help: "Evaluations that ended in a failing check because of an error (GitHub, timeout) or a policy that does not load",
  labelNames: ["kind", "trigger"] as const,
  registers: [registry],
});

export const evaluationDuration = new Histogram({
  name: "guardrails_evaluation_duration_seconds",
  help: "Time from the start of a pull request evaluation to its last write",
  labelNames: ["status"] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [registry],
});

export const githubRequests = new Counter({
  name: "guardrails_github_requests_total",
  help: "Requests to GitHub's API by kind (graphql, rest_read, rest_write) and status class (2xx, 3xx, 4xx, 5xx, error)",
  labelNames: ["kind", "status_class"] as const,
  registers: [registry],
});

export const rateLimitRemaining = new Gauge({
  name: "guardrails_github_rate_limit_remaining",
  help: "Requests left in the rate-limit window, as GitHub reported it on the last response (per installation only with METRICS_INSTALLATION_LABEL=true)",
  labelNames: ["resource", "installation"] as const,
  registers: [registry],
});

export const policyCacheHits = new Counter({
  name: "guardrails_policy_cache_hits_total",
  help: "Policies found parsed in the process's cache",
  registers: [registry],
});
export const policyCacheMisses = new Counter({
  name: "guardrails_policy_cache_misses_total",
  help: "Policies fetched and parsed",
  registers: [registry],
});

export const overrides = new Counter({
  name: "guardrails_overrides_total",
  help: "Overrides granted (/guardrails override <reason>)",
  registers: [registry],
});
export const overridesRefused = new Counter({
  name: "guardrails_overrides_refused_total",
  help: "Override commands refused, by reason",
  labelNames: ["reason"] as const,
  registers: [registry],
});

export const redeliveries = new Counter({
  name: "guardrails_webhook_redeliveries_total",
  help: "Failed webhook deliveries this app asked GitHub to deliver again",
  registers: [registry],
});

// Delegation: how much work flows on its own, and how long oversight takes.
export const pullRequests = new Counter({
  name: "guardrails_pull_requests_total",
  help: "Pull requests evaluated for the first time, by whether they are agent-authored",
  labelNames: ["agent"] as const,
  registers: [registry],
});

const WAIT_BUCKETS = [60, 300, 900, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 86400, 2 * 86400, 7 * 86400];

export const timeToFirstPass = new Histogram({
  name: "guardrails_time_to_first_pass_seconds",
  help: "From a pull request's first evaluation to its first passing decision, by the tier it passed at",
  labelNames: ["tier", "agent"] as const,
  buckets: WAIT_BUCKETS,
  registers: [registry],
});

export const reviewWait = new Histogram({
  name: "guardrails_review_wait_seconds",
  help: "From the first decision that asked for approvals to the decision where the approvals were met, by tier",
  labelNames: ["tier"] as const,
  buckets: WAIT_BUCKETS,
  registers: [registry],
});

export const tierChanges = new Counter({
  name: "guardrails_tier_changes_total",
  help: "Pull requests that moved to another tier after their first evaluation, by the tier before and after",
  labelNames: ["from", "to"] as const,
  registers: [registry],
});

/** Gauges read when scraped: the PR queue and the evaluations running. */
export function observeQueue(source: { queued: () => number; inFlight: () => number }): void {
  registry.removeSingleMetric("guardrails_pr_queue_depth");
  registry.removeSingleMetric("guardrails_evaluations_in_flight");
  new Gauge({
    name: "guardrails_pr_queue_depth",
    help: "Pull request evaluations waiting for an earlier one of the same PR",
    registers: [registry],
    collect() {
      this.set(source.queued());
    },
  });
  new Gauge({
    name: "guardrails_evaluations_in_flight",
    help: "Pull request evaluations running now",
    registers: [registry],
    collect() {
      this.set(source.inFlight());
    },
  });
}

/**
 * Read when scraped: distinct repositories by whether merges wait for the check (from the app's
 * enforcement cache; a repository is counted once, under its branch that needs attention most).
 */
export function observeEnforcement(source: { counts: () => Record<string, number> }): void {
  registry.removeSingleMetric("guardrails_repositories");
  new Gauge({
    name: "guardrails_repositories",
    help: "Repositories the app read enforcement health of in the last day, by enforcement: pinned, required_unpinned, not_required, unknown",
    labelNames: ["enforcement"] as const,
    registers: [registry],
    collect() {
      for (const [enforcement, count] of Object.entries(source.counts())) this.set({ enforcement }, count);
    },
  });
}

let installationLabel = false;
/** Opt-in: label the rate-limit gauge with the installation id (one series per installation). */
export function setInstallationLabel(enabled: boolean): void {
  installationLabel = enabled;
}

/** Records one GitHub response (or a request that got none: status undefined). */
export function recordGitHubRequest(
  kind: "graphql" | "rest_read" | "rest_write",
  status: number | undefined,
  headers: Record<string, string | number | undefined> | undefined,
  installationId: number | string | undefined,
): void {
  githubRequests.inc({ kind, status_class: status === undefined ? "error" : `${Math.floor(status / 100)}xx` });
  const remaining = headers?.["x-ratelimit-remaining"];
  if (remaining === undefined || remaining === "") return;
  const value = Number(remaining);
  if (!Number.isFinite(value)) return;
  const resource = String(headers?.["x-ratelimit-resource"] ?? (kind === "graphql" ? "graphql" : "core"));
  rateLimitRemaining.set(
    { resource, installation: installationLabel && installationId !== undefined ? String(installationId) : "" },
    value,
  );
}

/** The exposition, in Prometheus's text format. */
export function exposition(): Promise<string> {
  return registry.metrics();
}

export const EXPOSITION_CONTENT_TYPE = registry.contentType;
