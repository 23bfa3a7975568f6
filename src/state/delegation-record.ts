/**
 * Where the delegation record lives: one hidden line at the start of the app's check run text
 * (an HTML comment, so it renders as nothing, and first, so truncation never cuts it), keyed by PR
 * number because one commit can be the head of several PRs. Only the app's own runs are read (the
 * snapshot filters by app id), but the line is still parsed strictly: a malformed one is ignored.
 */
import { z } from "zod";
import { TIERS } from "../policy/schema.js";
import { MAX_OUTPUT_CHARS, truncate } from "../github/render-check.js";
import type { DelegationRecord } from "./delegation.js";

const PREFIX = "<!-- guardrails-delegation v1 ";
const SUFFIX = " -->";

const isoTime = z
  .string()
  .max(40)
  .refine((s) => Number.isFinite(Date.parse(s)));
const recordSchema = z.object({
  first: isoTime,
  tier: z.enum(TIERS),
  agent: z.boolean(),
  asked: isoTime.optional(),
  met: isoTime.optional(),
  passed: isoTime.optional(),
});
const recordsSchema = z.record(z.string().regex(/^\d{1,10}$/), recordSchema);

export type DelegationRecords = Record<string, DelegationRecord>;

/** The records in a check run's text (empty when there are none or the line is malformed). */
export function readDelegationRecords(text: string | null | undefined): DelegationRecords {
  if (!text?.startsWith(PREFIX)) return {};
  const end = text.indexOf(SUFFIX, PREFIX.length);
  if (end < 0) return {};
  try {
    const parsed = recordsSchema.safeParse(JSON.parse(text.slice(PREFIX.length, end)));
    return parsed.success ? (parsed.data as DelegationRecords) : {};
  } catch {
    return {};
  }
}

/** The text with the records line first (an existing line is replaced). */
export function writeDelegationRecords(text: string, records: DelegationRecords): string {
  const rest = stripDelegationRecords(text);
  if (Object.keys(records).length === 0) return rest;
  // `--` cannot occur in the JSON (no free text in a record), so the comment cannot end early.
  const line = `${PREFIX}${JSON.stringify(records)}${SUFFIX}\n`;
  return line + truncate(rest, MAX_OUTPUT_CHARS - line.length);
}

export function stripDelegationRecords(text: string): string {
  if (!text.startsWith(PREFIX)) return text;
  const end = text.indexOf(SUFFIX, PREFIX.length);
  if (end < 0) return text;
  return text.slice(end + SUFFIX.length).replace(/^\n/, "");
}
