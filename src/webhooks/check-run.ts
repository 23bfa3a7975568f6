/**
 * `check_run.rerequested` and the Re-evaluate button (`requested_action`) on the app's own run:
 * the PRs the run belongs to are evaluated again, writing the check even when nothing changed.
 */
import type { Probot } from "probot";
import { CHECK_NAME, REEVALUATE_ACTION } from "../render/check-output.js";
import { MERGE_GROUP_EXTERNAL_ID } from "../state/external-id.js";
import type { WebhookContext } from "./context.js";
import { pullRequestsOf } from "./pull-requests-of.js";

export function onCheckRun(app: Probot, { scheduler, appId }: WebhookContext): void {
  app.on(["check_run.rerequested", "check_run.requested_action"], async (context) => {
    const { check_run: run } = context.payload;
    if (run.name !== CHECK_NAME || (run.app?.id !== undefined && run.app.id !== appId)) return;
    // A merge group's run belongs to no PR: the merge queue asks again on its own.
    if (run.external_id === MERGE_GROUP_EXTERNAL_ID) return;
    if (context.payload.action === "requested_action") {
      const identifier = (context.payload as { requested_action?: { identifier?: string } }).requested_action
        ?.identifier;
      if (identifier !== REEVALUATE_ACTION.identifier) return;
    }
    const numbers = await pullRequestsOf(context, run.pull_requests, run.external_id, run.head_sha);
    const trigger = { event: `check_run.${context.payload.action}`, force: true, checkRunId: run.id };
    await Promise.all(
      numbers.map((number) =>
        scheduler.schedule(context, { ...context.repo(), number, headSha: run.head_sha }, trigger, false),
      ),
    );
  });
}
