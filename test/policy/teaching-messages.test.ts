/**
 * Validation that teaches: the nearest valid value for an enum, plain words for YAML's common traps
 * (an unquoted ": " in a value, a tab in the indentation: one message, not a cascade), and a
 * quoted version number.
 */
import { describe, expect, it } from "@jest/globals";
import { loadPolicy } from "../../src/policy/loader.js";

function problemsOf(text: string) {
  const result = loadPolicy(text);
  if (result.ok) throw new Error("expected problems");
  return result.problems;
}

describe("messages that teach", () => {
  it.each([
    [
      "a misspelt tier",
      "version: 1\ndefault_tier: meduim\n",
      {
        line: 2,
        column: 15,
        message: 'default_tier: expected one of low, medium, high, got "meduim" (did you mean "medium"?)',
      },
    ],
    [
      "a tier in the wrong case",
      "version: 1\ndefault_tier: High\n",
      {
        line: 2,
        column: 15,
        message: 'default_tier: expected one of low, medium, high, got "High" (did you mean "high"?)',
      },
    ],
    [
      "a misspelt stale mode",
      "version: 1\napprovals:\n  stale: discrad\n",
      {
        line: 3,
        column: 10,
        message: 'approvals.stale: expected one of discard, keep, got "discrad" (did you mean "discard"?)',
      },
    ],
    [
      "a rule's misspelt tier",
      "version: 1\nrules:\n  - name: docs\n    tier: hihg\n    paths: [docs/**]\n",
      {
        line: 4,
        column: 11,
        message: 'rules[0].tier: expected one of low, medium, high, got "hihg" (did you mean "high"?)',
      },
    ],
    [
      "a quoted version",
      'version: "1"\n',
      { line: 1, column: 10, message: 'version: must be the number 1, not the string "1": remove the quotes' },
    ],
  ])("%s", (_name, text, expected) => {
    expect(problemsOf(text)).toEqual([expected]);
  });

  it("suggests nothing for a value that is nowhere near a valid one", () => {
    expect(problemsOf("version: 1\ndefault_tier: extreme\n")).toEqual([
      { line: 2, column: 15, message: 'default_tier: expected one of low, medium, high, got "extreme"' },
    ]);
  });

  it('explains an unquoted ": " inside a value and points at the value', () => {
    const text =
      'version: 1\nrules:\n  - name: docs\n    description: Note: this is docs\n    tier: low\n    paths: ["docs/**"]\n';
    expect(problemsOf(text)).toEqual([
      {
        line: 4,
        column: 18,
        message:
          'YAML: a ": " inside an unquoted value starts a nested mapping: quote the value (description: "Note: this"), or, if a key was meant, indent it like the keys beside it',
      },
    ]);
    // Quoted, it is a valid policy.
    expect(loadPolicy(text.replace("Note: this is docs", '"Note: this is docs"')).ok).toBe(true);
  });

  it("reports tabs in the indentation once, at the first tab, however many lines they break", () => {
    const text = "version: 1\nrules:\n\t- name: docs\n\t  tier: low\n\t  paths: [docs/**]\n";
    expect(problemsOf(text)).toEqual([
      {
        line: 3,
        column: 1,
        message:
          "YAML: a tab in the indentation (and 2 more lines); YAML indents with spaces only: replace each tab with spaces",
      },
    ]);
    expect(problemsOf("version: 1\nrules:\n  - name: docs\n  \ttier: low\n")).toEqual([
      {
        line: 4,
        column: 3,
        message: "YAML: a tab in the indentation; YAML indents with spaces only: replace each tab with spaces",
      },
    ]);
  });

  it("leaves a tab inside a value alone when the document parses", () => {
    expect(loadPolicy('version: 1\nticket:\n  pattern: "A\\tB-[0-9]+"\n').ok).toBe(true);
  });
});
