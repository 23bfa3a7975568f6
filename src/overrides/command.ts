/**
 * The break-glass comment command. Only the comment's first line is read:
 *   /guardrails override <reason>   asks to override the check of the current head commit
 *   /guardrails override off        withdraws the override in force
 * The command words are case-insensitive; anything else is not a command (a comment that only
 * mentions it further down is ordinary text). Pure: text in, command out.
 */

/** A reason is kept in the signed state and shown in the check's title: bounded. */
import { mapControlCharacters } from "../markdown.js";

export const MAX_REASON_CHARS = 500;

export type OverrideCommand = { kind: "grant"; reason: string } | { kind: "withdraw" } | { kind: "no_reason" };

const COMMAND = /^\/guardrails[ \t]+override(?:[ \t]+([\s\S]*))?$/i;

export function parseOverrideCommand(body: string | null | undefined): OverrideCommand | undefined {
  if (!body) return undefined;
  // The first line only, and only a bounded prefix of it is ever looked at.
  const firstLine = body
    .slice(0, 4 * MAX_REASON_CHARS)
    .split(/\r\n|[\r\n]/, 1)[0]!
    .trim();
  const match = COMMAND.exec(firstLine);
  if (!match) return undefined;
  const reason = cleanReason(match[1] ?? "");
  if (reason.toLowerCase() === "off") return { kind: "withdraw" };
  if (reason === "") return { kind: "no_reason" };
  return { kind: "grant", reason };
}

/** Control characters go (they would forge lines in logs and titles); the rest is capped. */
function cleanReason(raw: string): string {
  const text = mapControlCharacters(raw, () => " ")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS - 1)}…` : text;
}
