/**
 * YAML text in, a policy or every problem at once out. Each problem carries the line and column
 * of the offending node, for YAML syntax errors and schema errors alike. Never throws.
 */
import { isMap, isPair, isScalar, isSeq, parseDocument, visit, type Document, type Node } from "yaml";
import { z } from "zod";
import { minimatch } from "minimatch";
import { braceAlternatives, scansEveryPath, scansUnderPrefix } from "./glob-matcher.js";
import { MAX_POLICY_GLOBS, MAX_SCANNING_GLOBS } from "./patterns.js";
import { policySchema, type Policy } from "./schema.js";

export interface PolicyProblem {
  line: number;
  column: number;
  message: string;
}

export type LoadResult = { ok: true; policy: Policy } | { ok: false; problems: PolicyProblem[] };

/** Larger policies are refused before parsing: a policy is a page of YAML, not a data file. */
export const MAX_POLICY_BYTES = 256 * 1024;
/** Larger policies are refused before parsing too (see loadUnsafe). */
export const MAX_POLICY_LINES = 2000;
/** Problems reported at most (a broken file can have thousands; the first ones say what to fix). */
export const MAX_PROBLEMS = 100;

export interface LoadOptions {
  /**
   * The policy is the organisation policy (`.github/guardrails.yml` of the owner's `.github`
   * repository): the only one that may say `enforce`.
   */
  organization?: boolean;
}

export function loadPolicy(text: string, options: LoadOptions = {}): LoadResult {
  try {
    return loadUnsafe(text, options);
  } catch (error) {
    // Defence in depth: the parser and the schema are not expected to throw.
    return {
      ok: false,
      problems: [{ line: 1, column: 1, message: `could not read the policy: ${(error as Error).message}` }],
    };
  }
}

function loadUnsafe(text: string, options: LoadOptions): LoadResult {
  if (typeof text !== "string") return fail(1, 1, "the policy is not text");
  // TextEncoder, not Buffer: the loader also runs in the browser (the playground).
  if (text.length > MAX_POLICY_BYTES / 3 && new TextEncoder().encode(text).byteLength > MAX_POLICY_BYTES) {
    return fail(1, 1, `the policy is larger than ${MAX_POLICY_BYTES / 1024} KiB`);
  }
  // The YAML parser's duplicate-key check grows with the square of a mapping's keys, and a
  // policy is anyone's on their branch (or anyone's at /api/validate): a policy is a page of YAML.
  const lines = text.split("\n").length;
  if (lines > MAX_POLICY_LINES)
    return fail(MAX_POLICY_LINES + 1, 1, `the policy has ${lines} lines; at most ${MAX_POLICY_LINES}`);
  // logLevel "error": yaml would otherwise print a process warning for a list or mapping as a key.
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, strict: true, logLevel: "error" });
  const at = positionsIn(text);

  const yamlErrors = [...doc.errors, ...doc.warnings];
  // A tab in the indentation breaks everything after it: one plain message instead of a cascade.
  const tabs = yamlErrors.length > 0 ? tabIndentedLines(text) : [];
  if (tabs.length > 0) {
    const more = tabs.length > 1 ? ` (and ${tabs.length - 1} more line${tabs.length === 2 ? "" : "s"})` : "";
    return fail(
      tabs[0]!.line,
      tabs[0]!.column,
      `YAML: a tab in the indentation${more}; YAML indents with spaces only: replace each tab with spaces`,
    );
  }
  const yamlProblems = yamlErrors.map((e) => ({ ...at(e.pos[0]), message: explainYamlError(e.code, e.message) }));
  visit(doc, {
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key)) {
        yamlProblems.push({
          ...at((pair.key as Node).range?.[0] ?? 0),
          message: "YAML: a key must be a plain name, not a list or a mapping",
        });
      }
    },
  });
  if (yamlProblems.length > 0) return { ok: false, problems: firstSyntaxErrors(sortProblems(yamlProblems)) };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return fail(1, 1, `YAML: ${firstLine((error as Error).message)}`);
  }
  if (data === null || data === undefined) return fail(1, 1, "the policy is empty: it needs at least `version: 1`");

  const parsed = policySchema.safeParse(data, { reportInput: true });
  if (parsed.success) {
    if (parsed.data.enforce !== undefined && options.organization !== true) {
      const key = findKeyNode(doc, [], "enforce");
      return fail(
        at(key?.range?.[0] ?? 0).line,
        at(key?.range?.[0] ?? 0).column,
        "enforce: only the organisation policy (.github/guardrails.yml in the owner's .github repository) may set enforce; a repository's own policy cannot (validate the organisation policy with `guardrails validate --org`)",
      );
    }
    const budget = globBudgetProblem(parsed.data);
    if (budget) {
      const node = nodeAt(doc, budget.path);
      return fail(
        at(node.range?.[0] ?? 0).line,
        at(node.range?.[0] ?? 0).column,
        `${where(budget.path)}${budget.message}`,
      );
    }
    return { ok: true, policy: parsed.data };
  }

  const problems: PolicyProblem[] = [];
  for (const issue of parsed.error.issues.flatMap(withinUnion).slice(0, MAX_PROBLEMS)) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const keyNode = findKeyNode(doc, issue.path, key);
        const known = objectKeysAt(issue.path);
        const hint = closest(key, known);
        problems.push({
          ...at(keyNode?.range?.[0] ?? nodeAt(doc, issue.path).range?.[0] ?? 0),
          message: `${where(issue.path)}unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}; allowed: ${known.join(", ")}`,
        });
      }
      continue;
    }
    const node = nodeAt(doc, issue.path);
    problems.push({ ...at(node.range?.[0] ?? 0), message: `${where(issue.path)}${describeIssue(issue)}` });
  }
  return { ok: false, problems: sortProblems(dedupe(problems)) };
}

/**
 * A union (a `checks` entry: a name or a mapping) fails as a whole; when the value is a mapping
 * and the mapping's option got past its type, its own issues say exactly what is wrong.
 */
function withinUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== "invalid_union") return [issue];
  const option = issue.errors.find((errors) => errors.length > 0 && errors.every((e) => e.path.length > 0));
  return option ? option.map((e) => ({ ...e, path: [...issue.path, ...e.path] })) : [issue];
}

/**
 * Every glob of the policy is matched against every changed path: the policy's globs, braces
 * expanded, are bounded as a whole (each glob is bounded on its own by the schema). Reported at
 * the glob that goes over.
 */
function globBudgetProblem(policy: Policy): { path: (string | number)[]; message: string } | undefined {
  const lists: [(string | number)[], readonly string[]][] = [
    ...policy.rules.flatMap((rule, i): [(string | number)[], readonly string[]][] => [
      [["rules", i, "paths"], rule.paths],
      [["rules", i, "exclude"], rule.exclude ?? []],
    ]),
    [["size", "ignore"], policy.size.ignore],
    [["tests", "source"], policy.tests.source],
    [["tests", "tests"], policy.tests.tests],
  ];
  let total = 0;
  let scanning = 0;
  const underPrefix = new Map<string, number>();
  for (const [path, globs] of lists) {
    for (let j = 0; j < globs.length; j++) {
      total += braceAlternatives(globs[j]!);
      if (total > MAX_POLICY_GLOBS) {
        return {
          path: [...path, j],
          message: `the policy's globs expand to more than ${MAX_POLICY_GLOBS} (braces counted out); every changed path is matched against each of them: use fewer or broader globs`,
        };
      }
      // Expanded only once it is known to be small (each glob is at most MAX_BRACE_ALTERNATIVES).
      const expanded = minimatch.braceExpand(globs[j]!);
      scanning += expanded.filter(scansEveryPath).length;
      for (const alternative of expanded) {
        const prefix = scansUnderPrefix(alternative);
        if (prefix === undefined) continue;
        underPrefix.set(prefix, (underPrefix.get(prefix) ?? 0) + 1);
        // A path under a/b/c is tried against the globs under a, a/b and a/b/c: the folder just
        // counted, and every folder in it, must stay within the limit.
        const chainOf = (folder: string) => {
          let sum = 0;
          for (const [key, count] of underPrefix) if (folder === key || folder.startsWith(`${key}/`)) sum += count;
          return sum;
        };
        const affected = [...underPrefix.keys()].filter((key) => key === prefix || key.startsWith(`${prefix}/`));
        if (affected.some((key) => chainOf(key) > MAX_SCANNING_GLOBS)) {
          return {
            path: [...path, j],
            message: `more than ${MAX_SCANNING_GLOBS} globs with a wildcard after the folder ${prefix.split("/")[0]}/ (or a folder in it), so each is tried on every path there: use fewer, or longer literal folders`,
          };
        }
      }
      if (scanning > MAX_SCANNING_GLOBS) {
        return {
          path: [...path, j],
          message: `more than ${MAX_SCANNING_GLOBS} globs of the policy start with a wildcard other than **/*.ext, **/name and **/name/**, so each is tried on every changed path: start them with a folder (src/**/x) or use those forms`,
        };
      }
    }
  }
  return undefined;
}

/**
 * Offset to line and column, from the text itself. (yaml's LineCounter misses line starts inside
 * the tokens of a broken document, which would put columns past the end of a line.)
 */
function positionsIn(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return (offset) => {
    const clamped = Math.max(0, Math.min(offset, text.length));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= clamped) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: clamped - starts[low]! + 1 };
  };
}

/** One syntax error breaks everything after it: keep the first per line, at most a screenful. */
const MAX_SYNTAX_ERRORS = 10;
function firstSyntaxErrors(problems: PolicyProblem[]): PolicyProblem[] {
  const perLine = problems.filter((p, i) => i === 0 || problems[i - 1]!.line !== p.line);
  if (perLine.length <= MAX_SYNTAX_ERRORS) return perLine;
  const kept = perLine.slice(0, MAX_SYNTAX_ERRORS);
  const last = kept.at(-1)!;
  return [
    ...kept,
    {
      line: last.line,
      column: last.column,
      message: `YAML: ${perLine.length - MAX_SYNTAX_ERRORS} more syntax errors follow; fix the first ones and validate again`,
    },
  ];
}

/** The YAML parser's message, or a plain explanation of the common traps. */
function explainYamlError(code: string, message: string): string {
  switch (code) {
    case "MULTIPLE_DOCS":
      return 'YAML: the policy must be a single document; remove the second "---" and what follows it';
    case "BLOCK_AS_IMPLICIT_KEY":
      // `description: Note: this` – the second ": " starts a mapping inside a plain value.
      return 'YAML: a ": " inside an unquoted value starts a nested mapping: quote the value (description: "Note: this"), or, if a key was meant, indent it like the keys beside it';
    default:
      return `YAML: ${firstLine(message)}`;
  }
}

/** Lines whose indentation holds a tab, with the tab's position. */
function tabIndentedLines(text: string): { line: number; column: number }[] {
  const found: { line: number; column: number }[] = [];
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    const indentation = /^[ \t]*/.exec(line)![0];
    const tab = indentation.indexOf("\t");
    if (tab >= 0 && indentation.length < line.length) found.push({ line: i + 1, column: tab + 1 });
  });
  return found;
}

function fail(line: number, column: number, message: string): LoadResult {
  return { ok: false, problems: [{ line, column, message }] };
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

function sortProblems(problems: PolicyProblem[]): PolicyProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

function dedupe(problems: PolicyProblem[]): PolicyProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.line}:${p.column}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

type Path = readonly PropertyKey[];

/** `rules[1].tier: ` for a problem inside the document, nothing at its root. */
function where(path: Path): string {
  if (path.length === 0) return "";
  let out = "";
  for (const segment of path)
    out += typeof segment === "number" ? `[${segment}]` : `${out ? "." : ""}${String(segment)}`;
  return `${out}: `;
}

/** The deepest node that exists along `path`: the value itself, or the map that lacks a key. */
function nodeAt(doc: Document, path: Path): Node {
  let node = doc.contents;
  let last: Node = (doc.contents as Node) ?? ({ range: [0, 0, 0] } as unknown as Node);
  for (const segment of path) {
    if (!node) break;
    last = node;
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      next = pair ? (pair.value ?? pair.key) : undefined;
    } else if (isSeq(node) && typeof segment === "number") {
      next = node.items[segment];
    }
    node = (next as Node | undefined) ?? null;
  }
  return node ?? last;
}

function findKeyNode(doc: Document, path: Path, key: string): Node | undefined {
  const map = nodeAt(doc, path);
  if (!isMap(map)) return undefined;
  // toJS turns a null key (`: x`, `~: x`) into "".
  const pair = map.items.find((p) => isPair(p) && isScalar(p.key) && scalarText(p.key.value) === key);
  return (pair?.key as Node | undefined) ?? undefined;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case "invalid_type":
      if (input === undefined) return "is required";
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(input)}`;
    case "invalid_value": {
      if (input === undefined) {
        return issue.values.length === 1
          ? `is required and ${issue.message}`
          : `is required: one of ${issue.values.map((v) => String(v)).join(", ")}`;
      }
      // `version: "1"`: the right value, quoted into a string.
      const number = issue.values.find(
        (v) => typeof v === "number" && typeof input === "string" && input.trim() !== "" && Number(input) === v,
      );
      if (number !== undefined)
        return `must be the number ${String(number)}, not the string ${JSON.stringify(input)}: remove the quotes`;
      const words = issue.values.filter((v): v is string => typeof v === "string");
      const hint = typeof input === "string" ? closest(input, words) : undefined;
      const suggestion = hint !== undefined ? ` (did you mean "${hint}"?)` : "";
      if (issue.values.length === 1) return `${issue.message}${suggestion}`;
      return `expected one of ${issue.values.map((v) => String(v)).join(", ")}, got ${describeValue(input)}${suggestion}`;
    }
    case "too_small":
      if (issue.origin === "array") return `needs at least ${issue.minimum} item${issue.minimum === 1 ? "" : "s"}`;
      if (issue.origin === "string")
        return issue.minimum === 1 ? "must not be empty" : `must be at least ${issue.minimum} characters`;
      return `must be at least ${issue.minimum}, got ${describeValue(input)}`;
    case "too_big":
      if (issue.origin === "string") return `must be at most ${issue.maximum} characters`;
      if (issue.origin === "array") return `must have at most ${issue.maximum} items`;
      return `must be at most ${issue.maximum}, got ${describeValue(input)}`;
    case "invalid_union":
      return `invalid value ${describeValue(input)}${unionHint(issue.path)}`;
    default:
      return issue.message;
  }
}

const EXPECTED: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  boolean: "true or false",
  int: "a whole number",
  number: "a number",
};

function unionHint(path: Path): string {
  if (path.at(-1) === "prefix") return ': expected a label prefix such as "risk:", or false';
  if (path.at(-2) === "checks")
    return ": expected a check name, or a mapping such as { name: test, app: github-actions }";
  return "";
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return `${typeof value} ${scalarText(value)}`;
}

/** A YAML scalar's value as text, as toJS writes it (a null key, `: x` or `~: x`, is ""). */
function scalarText(value: unknown): string {
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "boolean":
    case "bigint":
      return value.toString();
    case "undefined":
      return "undefined";
    default:
      return "";
  }
}

/** The keys the schema allows for the object at `path`, to list them and suggest a correction. */
function objectKeysAt(path: Path): string[] {
  let schema: unknown = policySchema;
  for (const segment of [...path, undefined]) {
    schema = unwrap(schema);
    let def = defOf(schema);
    // A union of a string and a mapping (a `checks` entry): the mapping's keys.
    if (def.type === "union" && def.options) def = defOf(unwrap(objectOption(def.options)));
    if (segment === undefined) return def.shape ? Object.keys(def.shape) : [];
    if (def.type === "object" && def.shape && typeof segment === "string") schema = def.shape[segment];
    else if (def.type === "union" && def.options) schema = objectOption(def.options);
    else if (def.type === "array" && typeof segment === "number") schema = def.element;
    else return [];
  }
  return [];
}

type SchemaDef = { type: string; shape?: Record<string, unknown>; element?: unknown; options?: unknown[] };

function defOf(schema: unknown): SchemaDef {
  return (schema as { _zod: { def: SchemaDef } })._zod.def;
}

function objectOption(options: unknown[]): unknown {
  return options.find((option) => defOf(unwrap(option)).type === "object") ?? options[0];
}

function unwrap(schema: unknown): unknown {
  let current = schema as { _zod: { def: { type: string; innerType?: unknown; in?: unknown } } };
  for (;;) {
    const def = current._zod.def;
    if (["optional", "default", "prefault", "nullable", "readonly"].includes(def.type) && def.innerType) {
      current = def.innerType as typeof current;
    } else if (def.type === "pipe" && def.in) {
      current = def.in as typeof current; // a transform: the keys are those written
    } else return current;
  }
}

/** The allowed key closest to a typo, when it is close enough to be the likely intent. */
function closest(key: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(key.toLowerCase(), candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
