/**
 * The playground page (GET /playground). The policy is edited in CodeMirror 6 with YAML
 * highlighting and the loader's problems marked at their line and column; the decision is
 * computed here by the same loader and engine as the app (src/web/simulation.ts, bundled), so
 * typing never waits for the server. Every text of the policy and the PR goes into the page as
 * text (textContent), never as markup: a shared link is someone else's input.
 */
import { defaultKeymap, history as editHistory, historyKeymap } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { linter, lintGutter, type Diagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import examplePolicy from "../../../examples/web-service.yml";
import type { DecisionOutput } from "../../report/decision-schema.js";
import { parseCodeOwners } from "../../policy/codeowners.js";
import type { PathProblem } from "../changed-paths.js";
import { decodeState, encodeState, FORM_FIELDS, playgroundRequest, type PlaygroundState } from "../playground-state.js";
import { parseSimulateBody, simulate, validatePolicy } from "../simulation.js";

const SAMPLE: PlaygroundState = {
  policy: examplePolicy,
  paths: [
    "src/session/lifetime.ts +18 -4",
    "src/util/clock.ts -> src/session/clock.ts",
    "test/session/lifetime.test.ts +40 -0",
    "docs/sessions.md +6 -2",
  ].join("\n"),
  author: "mona",
  coAuthors: "",
  title: "WEB-142 Shorter session lifetime",
  branch: "web-142-session-lifetime",
  body: "Sessions expire after 8 hours instead of 30 days.",
  labels: "",
  approvals: "alice",
  codeowners: [
    "# Sign-in and sessions belong to the security team",
    "/src/auth/ @acme/security",
    "/src/session/ @acme/security",
    "/docs/ @mona",
  ].join("\n"),
  teams: "acme/security: alice, erin",
};

const TIER_NAME = { low: "Low risk", medium: "Medium risk", high: "High risk" } as const;
const KIND_NAME: Record<string, string> = {
  approvals: "Approvals",
  approvers: "Approvers",
  tests: "Tests",
  ticket: "Ticket",
  checklist: "Checklist",
  changes_requested: "No change requests",
  codeowners: "Code owners",
  proposed_policy: "Proposed policy",
};
const REASON_NAME: Record<string, string> = {
  default: "no rule matches",
  size: "diff size",
  agent: "agent-authored",
  policy_change: "policy change",
  incomplete: "incomplete file list",
};

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function element(tag: string, text?: string, className?: string): HTMLElement {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

/** The loader's line:column as a range of the document: from the column to the end of its word. */
function diagnosticRange(state: EditorState, line: number, column: number): { from: number; to: number } {
  const at = state.doc.line(Math.min(Math.max(line, 1), state.doc.lines));
  const from = Math.min(at.from + Math.max(column - 1, 0), at.to);
  const word = /^[^\s,\]}]+/.exec(state.sliceDoc(from, at.to));
  const to = word ? from + word[0].length : from === at.to ? Math.min(at.to + 1, state.doc.length) : from + 1;
  return { from, to: Math.max(to, from) };
}

const policyLinter = linter(
  (view) => {
    const answer = validatePolicy(view.state.doc.toString());
    return answer.problems.map((problem): Diagnostic => ({
      ...diagnosticRange(view.state, problem.line, problem.column),
      severity: "error",
      message: problem.message,
      source: `${problem.line}:${problem.column}`,
    }));
  },
  { delay: 200 },
);

function createEditor(doc: string, onChange: () => void): EditorView {
  return new EditorView({
    parent: byId("editor"),
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        editHistory(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        yaml(),
        // Long lines wrap: no sideways scrolling, on a narrow screen neither.
        EditorView.lineWrapping,
        syntaxHighlighting(defaultHighlightStyle),
        lintGutter(),
        policyLinter,
        // Tab is left to the browser (it moves the focus): the editor is no keyboard trap.
        keymap.of([...defaultKeymap, ...historyKeymap]),
        EditorView.contentAttributes.of({ "aria-label": "Policy, YAML" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange();
        }),
      ],
    }),
  });
}

/** Lines of a box that were left out, each with its line number. */
function showProblems(id: string, problems: readonly (PathProblem & { column?: number })[]): void {
  const at = (problem: PathProblem & { column?: number }) =>
    problem.column === undefined ? `line ${problem.line}` : `${problem.line}:${problem.column}`;
  byId(id).replaceChildren(
    ...problems.slice(0, 50).map((problem) => element("li", `${at(problem)}: ${problem.message}`)),
    ...(problems.length > 50 ? [element("li", `and ${problems.length - 50} more`)] : []),
  );
}

/** The request built from the form, simulated: its problems, or the decision. */
function showRequest(request: ReturnType<typeof playgroundRequest>): void {
  const body = request.body;
  showProblems("paths-problems", request.pathProblems);
  showProblems("teams-problems", request.teamsProblems);
  // CODEOWNERS read as the app reads it: a line it skips is shown, the rest still counts.
  showProblems("codeowners-problems", body.codeowners === undefined ? [] : parseCodeOwners(body.codeowners).problems);
  byId("request").textContent = JSON.stringify(body, null, 2);
  const parsed = parseSimulateBody(body);
  const answer = parsed.ok ? simulate(parsed.value) : undefined;
  showPolicyProblems(answer && !answer.ok ? answer.problems : []);
  const inputError = byId("input-error");
  inputError.hidden = parsed.ok;
  inputError.textContent = parsed.ok
    ? ""
    : `The pull request cannot be simulated: ${parsed.error.field}: ${parsed.error.message}`;
  const result = byId("result");
  if (!answer?.ok) {
    // The last decision stays, dimmed: nothing below the editor jumps while a typo is fixed.
    result.classList.add("stale");
    const tier = byId("tier");
    tier.textContent = answer ? "Policy has problems" : "Pull request has problems";
    tier.dataset.tier = "";
    byId("conclusion").textContent = "";
    byId("decision-json").textContent = "";
    return;
  }
  result.classList.remove("stale");
  byId("decision-json").textContent = answer.json;
  renderDecision(JSON.parse(answer.json) as DecisionOutput);
}

function showPolicyProblems(problems: readonly { line: number; column: number; message: string }[]): void {
  const problemsBox = byId("problems");
  problemsBox.replaceChildren();
  if (problems.length === 0) {
    problemsBox.append(element("p", "The policy is valid.", "ok"));
    return;
  }
  const n = problems.length;
  problemsBox.append(
    element("p", `${n} problem${n === 1 ? "" : "s"}: fix ${n === 1 ? "it" : "them"} to see the decision`),
  );
  for (const problem of problems)
    problemsBox.append(element("p", `${problem.line}:${problem.column}: ${problem.message}`));
}

function renderDecision(decision: DecisionOutput): void {
  const tier = byId("tier");
  tier.textContent = TIER_NAME[decision.tier];
  tier.dataset.tier = decision.tier;
  const unmet = decision.requirements.filter((r) => !r.met).length;
  byId("conclusion").textContent =
    decision.conclusion === "success"
      ? `passes: all ${decision.requirements.length} requirements met`
      : `fails: ${unmet} of ${decision.requirements.length} requirements unmet`;
  byId("reasons").replaceChildren(...reasonRows(decision.reasons));
  byId("requirements").replaceChildren(...decision.requirements.map(requirementItem));
}

function reasonRows(reasons: DecisionOutput["reasons"]): HTMLElement[] {
  const rows = reasons.map((reason) => {
    const row = element("tr");
    const name =
      reason.kind === "rule"
        ? `rule ${reason.rule}${reason.description ? `: ${reason.description}` : ""}`
        : (REASON_NAME[reason.kind] ?? reason.kind);
    const files = reason.files ?? [];
    const details = files.length
      ? files
          .map((file) => (reason.renamedFrom?.[file] ? `${file} (renamed from ${reason.renamedFrom[file]})` : file))
          .join(", ")
      : reason.message;
    row.append(element("td", name), element("td", reason.tier), element("td", details));
    return row;
  });
  if (rows.length === 0) {
    const row = element("tr");
    const cell = element("td", "No changed files: the tier is low.");
    cell.setAttribute("colspan", "3");
    row.append(cell);
    rows.push(row);
  }
  return rows;
}

function requirementItem(requirement: DecisionOutput["requirements"][number]): HTMLElement {
  const item = element("li", undefined, requirement.met ? "met" : "unmet");
  const mark = element("span", requirement.met ? "✓" : "✗", "mark");
  mark.setAttribute("aria-label", requirement.met ? "met" : "not met");
  const sources = requirement.sources.filter((s) => s !== "always");
  item.append(
    mark,
    element("span", KIND_NAME[requirement.kind] ?? requirement.kind, "kind"),
    document.createTextNode(": "),
    element("span", requirement.message),
  );
  if (sources.length) item.append(element("span", ` (${sources.join(", ")})`, "sources"));
  if (!requirement.met && requirement.howTo) item.append(element("span", `→ ${requirement.howTo}`, "how"));
  return item;
}

function start(initial: PlaygroundState): void {
  const form = byId<HTMLFormElement>("pr-form");
  const field = (name: (typeof FORM_FIELDS)[number]) =>
    form.elements.namedItem(name) as HTMLInputElement | HTMLTextAreaElement;
  let note = initial.note;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(update, 120);
  };
  const editor = createEditor(initial.policy, schedule);

  const fill = (state: PlaygroundState) => {
    for (const name of FORM_FIELDS) field(name).value = state[name] ?? "";
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: state.policy } });
    note = state.note;
    const noteBox = byId("note");
    noteBox.hidden = !note;
    noteBox.textContent = note ?? "";
  };
  const current = (): PlaygroundState => {
    const state: PlaygroundState = {
      policy: editor.state.doc.toString(),
      ...{ paths: "", author: "", coAuthors: "", title: "", branch: "", body: "" },
      ...{ labels: "", approvals: "", codeowners: "", teams: "" },
    };
    for (const name of FORM_FIELDS) state[name] = field(name).value;
    if (note) state.note = note;
    return state;
  };
  function update(): void {
    showRequest(playgroundRequest(current()));
  }
  form.addEventListener("input", schedule);

  byId("share").addEventListener("click", async () => {
    const fragment = await encodeState(current());
    history.replaceState(null, "", `#${fragment}`);
    const link = byId<HTMLInputElement>("share-link");
    link.value = location.href;
    link.focus();
    link.select();
    await navigator.clipboard?.writeText(location.href).catch(() => undefined);
  });
  byId("reset").addEventListener("click", () => {
    history.replaceState(null, "", location.pathname);
    byId<HTMLInputElement>("share-link").value = "";
    fill(SAMPLE);
    update();
  });

  fill(initial);
  update();
  document.body.dataset.ready = "true";
}

void (async () => {
  const shared = location.hash ? await decodeState(location.hash) : undefined;
  start(
    shared ??
      (location.hash
        ? { ...SAMPLE, note: "The link's state could not be read (cut short or damaged): this is the example." }
        : SAMPLE),
  );
})();
