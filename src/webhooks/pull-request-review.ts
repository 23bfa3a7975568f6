/** `pull_request_review`: an approval, a change request or a dismissal changes what is met. */
import type { Probot } from "probot";
import type { WebhookContext } from "./context.js";

export const REVIEW_ACTIONS = ["submitted", "edited", "dismissed"] as const;

export function onPullRequestReview(app: Probot, { scheduler }: WebhookContext): void {
  app.on(
    REVIEW_ACTIONS.map((action) => `pull_request_review.${action}` as const),
    async (context) => {
      const pr = context.payload.pull_request;
      await scheduler.schedule(
        context,
        { ...context.repo(), number: pr.number, headSha: pr.head.sha },
        { event: `pull_request_review.${context.payload.action}` },
      );
    },
  );
}
