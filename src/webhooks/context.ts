/** What every webhook handler is given: the scheduler and who the app is. */
import type { Scheduler } from "./schedule.js";

export interface WebhookContext {
  scheduler: Scheduler;
  /** The GitHub App's id: only its own check runs and comments are trusted. */
  appId: number;
  /** The app's bot login (`<slug>[bot]`, lower case), when its slug is known. */
  botLogin?: string;
}
