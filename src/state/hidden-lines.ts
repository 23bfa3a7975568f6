/**
 * The one reader and writer of the hidden lines the app keeps in text it writes on GitHub (HTML
 * comments render as nothing). A check run's text starts with its record lines (delegation, then
 * decision), so truncation of the readable text never cuts them; a comment or a summary carries a
 * line that starts with its marker. Readers only parse; what a payload means is its codec's.
 */
import { MAX_OUTPUT_CHARS, truncate } from "../markdown.js";

export const HIDDEN_LINE_END = " -->";
const RECORD_LINE_START = "<!-- guardrails-";

/** The record lines at the start of a check run's text, in the order they are written. */
export const RECORD_LINE_ORDER = ["<!-- guardrails-delegation v1 ", "<!-- guardrails-decision v1 "] as const;
export type RecordLinePrefix = (typeof RECORD_LINE_ORDER)[number];

/** Splits the leading record lines off a check run's text. */
function splitRecordLines(text: string): { lines: string[]; rest: string } {
  const lines: string[] = [];
  let rest = text;
  for (let i = 0; i < RECORD_LINE_ORDER.length && rest.startsWith(RECORD_LINE_START); i++) {
    const end = rest.indexOf("\n");
    if (end < 0 || !rest.slice(0, end).endsWith(HIDDEN_LINE_END)) break;
    lines.push(rest.slice(0, end));
    rest = rest.slice(end + 1);
  }
  return { lines, rest };
}

/** The payload of the record line with this prefix at the start of a run's text, if any. */
export function readRecordLine(text: string | null | undefined, prefix: RecordLinePrefix): string | undefined {
  if (!text) return undefined;
  const line = splitRecordLines(text).lines.find((l) => l.startsWith(prefix));
  return line?.slice(prefix.length, line.length - HIDDEN_LINE_END.length);
}

/**
 * The records of the line with this prefix, read strictly: a missing, malformed or invalid line is
 * no records (the app only trusts what its schema accepts).
 */
export function readRecords<T>(
  text: string | null | undefined,
  prefix: RecordLinePrefix,
  schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
): T | undefined {
  const payload = readRecordLine(text, prefix);
  if (payload === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The text with this record line set (or removed, for undefined), the lines in their fixed order. */
export function writeRecordLine(text: string, prefix: RecordLinePrefix, payload: string | undefined): string {
  const { lines, rest } = splitRecordLines(text);
  const byPrefix = new Map(lines.map((l) => [RECORD_LINE_ORDER.find((p) => l.startsWith(p)), l]));
  byPrefix.delete(undefined);
  if (payload === undefined) byPrefix.delete(prefix);
  else byPrefix.set(prefix, `${prefix}${payload}${HIDDEN_LINE_END}`);
  const head = RECORD_LINE_ORDER.map((p) => byPrefix.get(p)).filter((l): l is string => l !== undefined);
  if (head.length === 0) return rest;
  const start = `${head.join("\n")}\n`;
  return start + truncate(rest, MAX_OUTPUT_CHARS - start.length);
}

/** The payload of the first line anywhere in `text` of the form `<prefix><payload> -->`. */
export function readMarkedLine(text: string | null | undefined, prefix: string): string | undefined {
  if (!text) return undefined;
  for (const line of text.split("\n")) {
    const at = line.indexOf(prefix);
    if (at < 0) continue;
    const end = line.indexOf(HIDDEN_LINE_END, at + prefix.length);
    if (end >= 0) return line.slice(at + prefix.length, end);
  }
  return undefined;
}

/** The first whole line that starts with `marker` (a marker that prefixes visible text; text quoted from elsewhere in the line cannot pass for it). */
export function lineWithMarker(text: string | null | undefined, marker: string): string | undefined {
  return text?.split("\n").find((line) => line.startsWith(marker));
}
