/**
 * `approvals.request_reviews` asks once per head commit: the request is remembered in the head's
 * check run, as a summary line that starts with this marker (only this app writes its runs).
 */
import { lineWithMarker } from "./hidden-lines.js";

const MARKER = "<!-- guardrails:review-requests -->";

/** The line a previous evaluation of this head wrote, if it requested reviews. */
export function previousRequestLine(summary: string | null | undefined): string | undefined {
  return summary ? lineWithMarker(summary, MARKER) : undefined;
}

/** The summary line that says what was requested (or refused), carrying the marker. */
export function requestLine(text: string): string {
  return `${MARKER}${text}`;
}
