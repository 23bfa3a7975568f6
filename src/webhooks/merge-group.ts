/** `merge_group.checks_requested`: the queued PR's own result, on the group's commit (src/pipeline/merge-group.ts). */
import type { Probot } from "probot";
import { markDeliveryEvaluated } from "../metrics/deliveries.js";
import { evaluateMergeGroup } from "../pipeline/merge-group.js";
import type { WebhookContext } from "./context.js";

export function onMergeGroup(app: Probot, { appId }: WebhookContext): void {
  app.on("merge_group.checks_requested", async (context) => {
    markDeliveryEvaluated(context.id);
    await evaluateMergeGroup(context.octokit, context.log, context.repo(), context.payload.merge_group, appId);
  });
}
