/**
 * The override as it is stored (the sticky comment's signed state, the check run's decision
 * record): one schema for both readers, so the two never disagree on what a record may hold.
 */
import { z } from "zod";

export const overrideRecordSchema = z.object({
  by: z.string().max(100),
  at: z.string().max(40),
  reason: z.string().max(1000),
  head: z.string().max(64),
  /** The base branch it was given on (absent in records written before bases were kept). */
  base: z.string().max(256).optional(),
  via: z.array(z.string().max(120)).max(2),
  commentId: z.number().int().nonnegative().optional(),
});
