import type { ProbotOctokit } from "probot";

/** The installation-authenticated client Probot hands to each event. */
export type GitHub = InstanceType<typeof ProbotOctokit>;
