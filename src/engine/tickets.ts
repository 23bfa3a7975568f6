/**
 * Ticket references: the policy's `ticket.pattern` searched in the title, the head branch name
 * and the body. re2js searches in time linear in the text, with the pattern's program size as the
 * factor, so what is searched is bounded by their product (TICKET_SEARCH_BUDGET): the longer the
 * program, the shorter the part of the body searched. Each text's first match decides the `ticket`
 * requirement; further matches, for the audit trail, are looked for while the rest of the budget
 * lasts, each charged as if it ran to the end of its text (a search can).
 */
import { TICKET_SEARCH_BUDGET } from "../policy/patterns.js";
import type { CompiledPolicy } from "./compile.js";
import type { PullRequestFacts } from "./types.js";

/** Characters of the title and of the branch name searched at most (GitHub's title limit is 256). */
export const MAX_TICKET_TITLE = 256;
export const MAX_TICKET_BRANCH = 256;
/** Characters of the body searched at most (GitHub's limit on a body). */
export const MAX_TICKET_BODY = 65536;
/** References kept for the audit trail. */
export const MAX_TICKET_REFERENCES = 10;

export interface TicketTextLimits {
  title: number;
  branch: number;
  body: number;
}

/** How much of each text a pattern of `instructions` instructions is searched in. */
export function ticketTextLimits(instructions: number): TicketTextLimits {
  const characters = Math.floor(TICKET_SEARCH_BUDGET.first / Math.max(1, instructions));
  const title = Math.min(MAX_TICKET_TITLE, Math.floor(characters / 4));
  const branch = Math.min(MAX_TICKET_BRANCH, Math.floor(characters / 4));
  return { title, branch, body: Math.min(MAX_TICKET_BODY, characters - title - branch) };
}

export type TicketPlace = "title" | "body" | "branch name";

export interface TicketSearch {
  limits: TicketTextLimits;
  /** The first reference of each text, where there is one. */
  first: Partial<Record<TicketPlace, string>>;
  /** Distinct references, at most MAX_TICKET_REFERENCES: the title's, the branch name's, the body's. */
  references: string[];
  /** Instructions x characters charged (at most the two budgets together). */
  cost: number;
}

/** The last search, by facts object: the requirement and the audit trail share one per evaluation. */
const lastSearch = new WeakMap<PullRequestFacts, { compiled: CompiledPolicy; search: TicketSearch }>();

export function searchTickets(compiled: CompiledPolicy, facts: PullRequestFacts): TicketSearch {
  const known = lastSearch.get(facts);
  if (known?.compiled === compiled) return known.search;
  const { ticket } = compiled;
  const limits = ticketTextLimits(ticket.instructions);
  const texts: [TicketPlace, string][] = [
    ["title", facts.title.slice(0, limits.title)],
    ["branch name", facts.headBranch.slice(0, limits.branch)],
    ["body", facts.body.slice(0, limits.body)],
  ];
  const search: TicketSearch = { limits, first: {}, references: [], cost: 0 };
  const found = new Set<string>();
  const ends: number[] = [];
  for (const [place, text] of texts) {
    search.cost += ticket.instructions * text.length;
    const hit = ticket.find(text);
    ends.push(hit && hit.text !== "" ? hit.end : text.length);
    if (!hit || hit.text === "") continue;
    search.first[place] = hit.text;
    found.add(hit.text);
  }
  let spent = 0;
  texts.forEach(([, text], i) => {
    // Further references from where the first ended, while the budget lasts and none is empty.
    for (let at = ends[i]!; at < text.length && found.size < MAX_TICKET_REFERENCES;) {
      const charge = ticket.instructions * (text.length - at);
      if (spent + charge > TICKET_SEARCH_BUDGET.more) return;
      spent += charge;
      const hit = ticket.find(text, at);
      if (!hit || hit.text === "" || hit.end <= at) return;
      found.add(hit.text);
      at = hit.end;
    }
  });
  search.cost += spent;
  search.references = [...found].slice(0, MAX_TICKET_REFERENCES);
  lastSearch.set(facts, { compiled, search });
  return search;
}
