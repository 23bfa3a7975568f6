/**
 * Where the delegation record lives: one hidden line at the start of the app's check run text
 * (an HTML comment, so it renders as nothing, and first, so truncation never cuts it), keyed by PR
 * number because one commit can be the head of several PRs. Only the app's own runs are read (the
 * snapshot filters by app id), but the line is still parsed strictly: a malformed one is ignored.
 */
import { z } from "zod";
import { TIERS, type Tier } from "../policy/schema.js";
import { readRecords, writeRecordLine } from "./hidden-lines.js";

const PREFIX = "<!-- guardrails-delegation v1 ";

/** What the app remembers of one PR, in short keys (it lives in every check run's text). */
export interface DelegationRecord {
  /** When the app first evaluated the PR (ISO time). */
  first: string;
  /** The tier of the latest decision. */
  tier: Tier;
  /** Whether the PR is agent-authored (as of the latest decision). */
  agent: boolean;
  /** The first decision that asked for approvals and did not have them. */
  asked?: string;
  /** When those approvals were first met. */
  met?: string;
  /** The first passing decision. */
  passed?: string;
}

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
  return readRecords(text, PREFIX, recordsSchema) ?? {};
}

/** The text with the records line first (an existing line is replaced). */
export function writeDelegationRecords(text: string, records: DelegationRecords): string {
  // `--` cannot occur in the JSON (no free text in a record), so the comment cannot end early.
  return writeRecordLine(text, PREFIX, Object.keys(records).length ? JSON.stringify(records) : undefined);
}

/** The text without the records line. */
export function stripDelegationRecords(text: string): string {
  return writeRecordLine(text, PREFIX, undefined);
}
