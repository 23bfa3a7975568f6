/** Co-authored-by lines, read alike by the app and the CLI (src/engine/co-authors.ts). */
import { describe, expect, it } from "@jest/globals";
import { coAuthorsOf, coAuthorTrailers } from "../../src/engine/co-authors.js";

describe("coAuthorTrailers", () => {
  it.each<[string, string, string[]]>([
    [
      "a trailer in the final block",
      "Fix it\n\nCo-authored-by: Claude <noreply@anthropic.com>",
      ["Claude <noreply@anthropic.com>"],
    ],
    ["several trailers", "Fix\n\nCo-authored-by: A <a@x>\nCo-authored-by: B <b@x>", ["A <a@x>", "B <b@x>"]],
    [
      "a line in a middle paragraph (git's trailer parser misses it)",
      "Fix\n\nCo-authored-by: A <a@x>\n\nMore text.",
      ["A <a@x>"],
    ],
    ["any letter case, indentation and spacing", "Fix\n\n  CO-AUTHORED-BY:   A <a@x>  ", ["A <a@x>"]],
    ["Windows line ends", "Fix\r\n\r\nCo-authored-by: A <a@x>\r\n", ["A <a@x>"]],
    ["a line ended by U+2028 (a line break to JavaScript)", "Fix\n\nCo-authored-by: A <a@x>\u2028More", ["A <a@x>"]],
    ["no colon: not a trailer", "Fix\n\nCo-authored-by A <a@x>", []],
    ["the words inside a sentence: not a trailer", "Fix\n\nThanks to whoever co-authored-by: hand", []],
    ["an empty value", "Fix\n\nCo-authored-by:   ", []],
    ["no message", "", []],
  ])("%s", (_name, message, expected) => {
    expect(coAuthorTrailers(message)).toEqual(expected);
  });
});

describe("coAuthorsOf", () => {
  it("names each co-author once, in the order first met (messages oldest first)", () => {
    const messages = [
      "One\n\nCo-authored-by: B <b@x>",
      "Two\n\nCo-authored-by: A <a@x>\nCo-authored-by: B <b@x>",
      "Three",
    ];
    expect(coAuthorsOf(messages)).toEqual(["B <b@x>", "A <a@x>"]);
  });
});
