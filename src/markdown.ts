/**
 * Text helpers shared by everything that writes text others read (check runs, comments, the
 * terminal): at the bottom of the layers, pure. Text that came from a policy, a PR or a commenter
 * goes through one of these before it is shown.
 */

/** GitHub's limit on a check run's summary and text. */
export const MAX_OUTPUT_CHARS = 65535;

const LINE_BREAKS = /\r\n|[\r\n\u2028\u2029]/g;

/** One line: every line break (CRLF, CR, LF, LS, PS) becomes a space. */
export function flattenLine(text: string): string {
  return text.replace(LINE_BREAKS, " ");
}

/**
 * A path as a Markdown code span that nothing in the path can end (file names are the PR
 * author's): line breaks shown as ␤, backticks fenced by a longer run of backticks.
 */
export function codeSpan(text: string): string {
  const flat = text.replace(/\r\n|\r|\n/g, "␤");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const pad = longest > 0 ? " " : "";
  const fence = "`".repeat(longest + 1);
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Text shown as plain text in Markdown (a heading, a line): no link, image, emphasis or HTML can start. */
export function plainMarkdown(text: string): string {
  return flattenLine(text).replace(/[\\`*_[\]()!<>#|~]/g, "\\$&");
}

/** A Markdown table cell: no `|` or line break can end it. */
export function tableCell(text: string): string {
  return flattenLine(text.replace(/\|/g, "\\|"));
}

/** Cut to `max` characters, saying so at the end. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = "\n\n… (truncated to fit GitHub's limit)";
  return text.slice(0, max - note.length) + note;
}

const ESCAPES: Record<string, string> = { "\n": "\\n", "\t": "\\t", "\r": "\\r" };

/** C0 and C1 control characters and the Unicode line and paragraph separators. */
function isControlCharacter(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
}

/** `text` with every control character replaced by what `replace` makes of it. */
export function mapControlCharacters(text: string, replace: (character: string) => string): string {
  let out = "";
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    if (!isControlCharacter(text.charCodeAt(i))) continue;
    out += text.slice(last, i) + replace(text[i]!);
    last = i + 1;
  }
  return last === 0 ? text : out + text.slice(last);
}

/**
 * Text the PR author controls (file names, branch names in messages) with its control characters
 * escaped: a newline in a path must not start a line of its own, and an escape sequence must not
 * reach the terminal (the check renderer shows a newline as ␤ for the same reason).
 */
export function printable(text: string): string {
  return mapControlCharacters(text, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * `@login` and `@org/team` made inert: GitHub notifies whoever text written by the app mentions, and
 * text that came from a policy, a PR or a commenter must not page people. A zero-width joiner after
 * the `@` keeps the text readable and stops the mention.
 */
export function neutraliseMentions(text: string): string {
  return text.replace(/@(?=[A-Za-z0-9])/g, "@\u200d");
}
