/** `pull_request`: the PR opened, pushed to, edited (title, body, base), made ready, labelled. */
import type { Probot } from "probot";
import type { WebhookContext } from "./context.js";

export const PULL_REQUEST_ACTIONS = [
  "opened",
  "reopened",
  "synchronize",
  "edited",
  "ready_for_review",
  "labeled",
  "unlabeled",
] as const;

export function onPullRequest(app: Probot, { scheduler, botLogin }: WebhookContext): void {
  app.on(
    PULL_REQUEST_ACTIONS.map((action) => `pull_request.${action}` as const),
    async (context) => {
      const { payload } = context;
      const changes = (payload as { changes?: Record<string, unknown> }).changes ?? {};
      if (payload.action === "edited" && !("title" in changes || "body" in changes || "base" in changes)) return;
      // The app's own label writes are not news.
      if (
        (payload.action === "labeled" || payload.action === "unlabeled") &&
        payload.sender.login.toLowerCase() === botLogin
      )
        return;
      const pr = payload.pull_request;
      const before = payload.action === "synchronize" ? (payload as { before?: string }).before : undefined;
      // Someone other than the author pushed: kept for approvals.ignore_contributors, so this
      // evaluation must run with its own trigger rather than join a queued one. A push that names
      // the previous head joins only another such push's queued evaluation (src/webhooks/schedule.ts):
      // that head's failing record may keep pushers not yet in the signed state (src/pipeline/judge.ts).
      const pusher =
        payload.action === "synchronize" &&
        payload.sender.type !== "Bot" &&
        payload.sender.login.toLowerCase() !== (pr.user?.login ?? "").toLowerCase()
          ? payload.sender.login
          : undefined;
      await scheduler.schedule(
        context,
        {
          ...context.repo(),
          number: pr.number,
          headSha: pr.head.sha,
          changedFiles: pr.changed_files,
          ...(before ? { previousHeadSha: before } : {}),
        },
        {
          event: `pull_request.${payload.action}`,
          resetsPass:
            ["synchronize", "opened", "reopened"].includes(payload.action) ||
            (payload.action === "edited" && "base" in changes),
          ...(pr.updated_at ? { at: pr.updated_at } : {}),
          ...(pusher ? { pusher } : {}),
        },
        pusher === undefined,
      );
    },
  );
}
