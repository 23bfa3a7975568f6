/**
 * `guardrails check --json`: the engine's decision as is (tier, conclusion, reasons, requirements,
 * then its other fields), plus the policy used and the diff evaluated.
 */
import type { CheckReport } from "./report.js";

export function renderJson(report: CheckReport): string {
  const { decision, policy, diff } = report;
  const output = {
    ...decision,
    policy: { source: policy.source, path: policy.path, ref: policy.ref, sha: policy.sha },
    diff,
  };
  return `${JSON.stringify(output, null, 2)}\n`;
}
