/**
 * Override commands of one PR that arrive while its evaluation runs share the next one: any number
 * of `/guardrails` comments in a row cost one more evaluation, not one each (anyone who can comment
 * can write them as fast as they like). The batch is open until its evaluation starts, and holds at
 * most MAX_BATCH commands (each may cost a permission lookup); a fuller one opens the next batch.
 */
import type { CommandInput } from "../overrides/transition.js";

export const MAX_BATCH = 20;

interface Batch {
  commands: CommandInput[];
  result: Promise<unknown>;
}

export class CommandBatches {
  private readonly open = new Map<string, Batch>();

  /**
   * Adds `command` to the PR's open batch, or opens one: `schedule` is called once per batch, with
   * `take`, which its job calls when it starts (closing the batch) to get every command in it.
   */
  add<T>(key: string, command: CommandInput, schedule: (take: () => CommandInput[]) => Promise<T>): Promise<T> {
    const batch = this.open.get(key);
    if (batch && batch.commands.length < MAX_BATCH) {
      batch.commands.push(command);
      return batch.result as Promise<T>;
    }
    const commands = [command];
    const opened: Batch = { commands, result: Promise.resolve() };
    this.open.set(key, opened);
    const take = () => {
      if (this.open.get(key) === opened) this.open.delete(key);
      return commands;
    };
    const result = schedule(take);
    opened.result = result;
    return result;
  }
}
