/**
 * `guardrails check --json`: the output format's version, the engine's decision as is (tier,
 * conclusion, reasons, requirements, then its other fields), plus the policy used and the diff
 * evaluated. The format is a contract: src/cli/decision-schema.ts, schema/decision.schema.json.
 */
import { DECISION_OUTPUT_VERSION } from "./decision-schema.js";
import type { CheckReport } from "./check-report.js";

export function renderJson(report: CheckReport): string {
  const { decision, policy, diff } = report;
  const output = {
    version: DECISION_OUTPUT_VERSION,
    ...decision,
    policy: { source: policy.source, path: policy.path, ref: policy.ref, sha: policy.sha },
    ...(report.organizationPolicy ? { organizationPolicy: report.organizationPolicy } : {}),
    diff,
    ...(report.preview ? { preview: previewJson(report) } : {}),
  };
  return `${JSON.stringify(output, null, 2)}\n`;
}

/** --preview: the message, and the proposed policy's decision when there is one. */
function previewJson(report: CheckReport) {
  const { message, decision } = report.preview!;
  if (!decision) return { message };
  const { tier, conclusion, reasons, requirements } = decision;
  return { message, tier, conclusion, reasons, requirements };
}
