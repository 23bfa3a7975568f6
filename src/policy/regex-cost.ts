/**
 * What a ticket pattern costs, read from its text before RE2 compiles it. re2js matches in time
 * linear in the text, but the factor is the compiled program's size (each instruction can be a
 * live thread at every character), and compiling itself has costs the text shows: a counted
 * repetition is that many copies of what it repeats (`\pL{1000}` is 1000 instructions; 45 of them
 * took 0.2 s to compile and a search over 4 KiB took seconds), case folding a wide range walks every
 * code point in it (`(?i)[\x{100}-\x{10FFFF}]`: 14-20 ms each), and each Unicode class escape
 * (`\pL`, `\P{Greek}`) builds a range table (about 0.2 ms each). This reader is an upper bound of
 * the first and counts the other two, so that a pattern that would be too costly is refused
 * without being compiled. It does not decide what is valid: RE2 does, once the pattern is known
 * to be cheap.
 */

export interface RegexCost {
  /** An upper bound of the instructions RE2 compiles the pattern to. */
  instructions: number;
  /** Code points of the ranges written in brackets while case folding is on. */
  foldedRangeWidth: number;
  /** `\p` and `\P` escapes. */
  unicodeClasses: number;
  /** The counted repetition that adds the most instructions: where it starts (0-based) and its text. */
  largestRepetition?: { at: number; text: string; instructions: number };
}

/** Repetition counts RE2 accepts at most (a larger one is a syntax error). */
const MAX_COUNT = 1000;

export function regexCost(pattern: string): RegexCost {
  const reader = new Reader(pattern);
  const instructions = reader.alternation(false);
  return {
    // Every program has a failure instruction, a match instruction and group 0's two captures.
    instructions: instructions + 4,
    foldedRangeWidth: reader.foldedRangeWidth,
    unicodeClasses: reader.unicodeClasses,
    ...(reader.largest ? { largestRepetition: reader.largest } : {}),
  };
}

class Reader {
  pos = 0;
  foldedRangeWidth = 0;
  unicodeClasses = 0;
  largest: RegexCost["largestRepetition"];
  /** Whether the atom just read was a flag group such as `(?i)`. */
  private flagGroup = false;

  constructor(private readonly text: string) {}

  /** `a|b|c` up to an unmatched `)` or the end; each `|` is one instruction more. */
  alternation(fold: boolean): number {
    const flags = { fold };
    let size = this.concatenation(flags);
    while (this.text[this.pos] === "|") {
      this.pos++;
      size += 1 + this.concatenation(flags);
    }
    return size;
  }

  /** Atoms with their repetitions; `(?i)` changes the flags for the rest of the group. */
  private concatenation(flags: { fold: boolean }): number {
    let size = 0;
    let last = 0;
    while (this.pos < this.text.length && this.text[this.pos] !== "|" && this.text[this.pos] !== ")") {
      const start = this.pos;
      this.flagGroup = false;
      let atom = this.atom(flags);
      // RE2 lets a repetition after `(?s)` repeat the atom before the flags.
      if (this.flagGroup) {
        size -= last;
        atom = last;
      }
      for (;;) {
        const c = this.text[this.pos];
        if (c === "*" || c === "+" || c === "?") {
          this.pos++;
          // RE2 compiles a star of what can be empty as (x+)?: two instructions.
          atom += c === "*" ? 2 : 1;
        } else if (c === "{" && /^\{\d+(?:,\d*)?\}/.test(this.text.slice(this.pos, this.pos + 24))) {
          atom = this.counted(atom, start);
        } else break;
        if (this.text[this.pos] === "?") this.pos++;
      }
      size += atom;
      last = atom;
    }
    // An empty alternative is one instruction (RE2's no-op).
    return Math.max(1, size);
  }

  /** `x{n}`, `x{n,}`, `x{n,m}`: at most max(n, m) + 1 copies of x, each with an alternative. */
  private counted(atom: number, start: number): number {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(this.text.slice(this.pos, this.pos + 24))!;
    this.pos += match[0].length;
    const low = Math.min(Number(match[1]), MAX_COUNT + 1);
    const high = match[3] ? Math.min(Number(match[3]), MAX_COUNT + 1) : low;
    const copies = Math.max(low, high) + (match[2] !== undefined && !match[3] ? 1 : 0);
    const size = (atom + 1) * Math.max(1, copies) + 1;
    if (!this.largest || size > this.largest.instructions)
      this.largest = { at: start, text: this.text.slice(start, this.pos), instructions: size };
    return size;
  }

  private atom(flags: { fold: boolean }): number {
    const c = this.text[this.pos]!;
    if (c === "(") return this.group(flags);
    if (c === "[") return this.bracket(flags.fold);
    if (c === "\\") return this.escape();
    this.pos += c.length === 1 && c >= "\ud800" && c <= "\udbff" ? 2 : 1;
    return 1;
  }

  /** A group: two instructions for its captures (none for `(?:`, counted all the same), or flags. */
  private group(flags: { fold: boolean }): number {
    this.pos++;
    let fold = flags.fold;
    if (this.text[this.pos] === "?") {
      const head = /^\?(?:P?<[^>]*>|([-imsU]*)(:|\)))?/.exec(this.text.slice(this.pos, this.pos + 64))!;
      this.pos += head[0].length;
      if (head[1] !== undefined) fold = foldAfter(head[1], fold);
      if (head[2] === ")") {
        // `(?i)`: the flags hold for the rest of the enclosing group.
        flags.fold = fold;
        this.flagGroup = true;
        return 0;
      }
    }
    const inner = this.alternation(fold);
    if (this.text[this.pos] === ")") this.pos++;
    this.flagGroup = false;
    return inner + 2;
  }

  /** `[...]`: one instruction; its ranges are folded one code point at a time under `(?i)`. */
  private bracket(fold: boolean): number {
    this.pos++;
    if (this.text[this.pos] === "^") this.pos++;
    let first = true;
    while (this.pos < this.text.length && (first || this.text[this.pos] !== "]")) {
      first = false;
      if (this.text.startsWith("[:", this.pos)) {
        const close = this.text.indexOf(":]", this.pos + 2);
        if (close > 0) {
          this.pos = close + 2;
          continue;
        }
      }
      const low = this.classChar();
      if (this.text[this.pos] === "-" && this.text[this.pos + 1] !== "]" && this.pos + 1 < this.text.length) {
        this.pos++;
        const high = this.classChar();
        if (fold && low >= 0 && high >= low) this.foldedRangeWidth += high - low + 1;
      }
    }
    this.pos++;
    return 1;
  }

  /** One member of a bracket: its code point, or -1 for a class escape (`\d`, `\pL`). */
  private classChar(): number {
    if (this.text[this.pos] !== "\\") {
      const code = this.text.codePointAt(this.pos)!;
      this.pos += code > 0xffff ? 2 : 1;
      return code;
    }
    const before = this.pos;
    this.escape();
    const written = this.text.slice(before, this.pos);
    const hex = /^\\x(?:\{([0-9A-Fa-f]{1,6})\}|([0-9A-Fa-f]{2}))$/.exec(written);
    if (hex) return parseInt(hex[1] ?? hex[2]!, 16);
    const octal = /^\\([0-7]{1,3})$/.exec(written);
    if (octal) return parseInt(octal[1]!, 8);
    return written.length === 2 && !/[dDsSwWpP]/.test(written[1]!) ? written.codePointAt(1)! : -1;
  }

  /** An escape outside brackets: one instruction (`\Q...\E`: one per character). */
  private escape(): number {
    const next = this.text[this.pos + 1];
    if (next === undefined) {
      this.pos++;
      return 1;
    }
    if (next === "Q") {
      const end = this.text.indexOf("\\E", this.pos + 2);
      const literal = this.text.slice(this.pos + 2, end < 0 ? this.text.length : end);
      this.pos = end < 0 ? this.text.length : end + 2;
      return Math.max(1, literal.length);
    }
    const rest = this.text.slice(this.pos, this.pos + 32);
    const long = /^\\(?:[pP](?:\{[^}]*\}|.)|x(?:\{[^}]*\}|[0-9A-Fa-f]{0,2})|[0-7]{1,3})/.exec(rest);
    if (next === "p" || next === "P") this.unicodeClasses++;
    this.pos += long ? long[0].length : 2;
    return 1;
  }
}

/** Case folding after a flag group such as `i`, `-i`, `s-i`. */
function foldAfter(flags: string, fold: boolean): boolean {
  const [on = "", off = ""] = flags.split("-");
  if (off.includes("i")) return false;
  return on.includes("i") || fold;
}
