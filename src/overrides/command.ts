/**
 * The break-glass comment command. Only the comment's first line is read:
 *   /guardrails override <reason>          asks to override the check of the current head commit
 *   /guardrails override <commit> <reason> the same, naming the head commit the person saw (7-40 hex
 *                                          digits): refused when the head is another commit
 *   /guardrails override off               withdraws the override in force
 * The command words are case-insensitive; anything else is not a command (a comment that only
 * mentions it further down is ordinary text). Pure: text in, command out.
 */

/** A reason is kept in the signed state and shown in the check's title: bounded. */
import { mapControlCharacters } from "../markdown.js";

export const MAX_REASON_CHARS = 500;

export type OverrideCommand =
  { kind: "grant"; reason: string; commit?: string } | { kind: "withdraw" } | { kind: "no_reason" };

const COMMAND = /^\/guardrails[ \t]+override(?:[ \t]+([\s\S]*))?$/i;
/** A leading word of 7-40 hex digits names the commit (as GitHub abbreviates it). */
const COMMIT = /^([0-9a-f]{7,40})(?:\s+|$)/i;

export function parseOverrideCommand(body: string | null | undefined): OverrideCommand | undefined {
  if (!body) return undefined;
  // The first line only, and only a bounded prefix of it is ever looked at.
  const firstLine = body
    .slice(0, 4 * MAX_REASON_CHARS)
    .split(/\r\n|[\r\n]/, 1)[0]!
    .trim();
  const match = COMMAND.exec(firstLine);
  if (!match) return undefined;
  const words = cleanReason(match[1] ?? "");
  if (words.toLowerCase() === "off") return { kind: "withdraw" };
  const commit = COMMIT.exec(words);
  const reason = commit ? words.slice(commit[0].length) : words;
  if (reason === "") return { kind: "no_reason" };
  return { kind: "grant", reason, ...(commit ? { commit: commit[1]!.toLowerCase() } : {}) };
}

/** Control characters go (they would forge lines in logs and titles); the rest is capped. */
function cleanReason(raw: string): string {
  const text = mapControlCharacters(raw, () => " ")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS - 1)}…` : text;
}
