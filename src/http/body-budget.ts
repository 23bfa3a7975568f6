/**
 * A byte budget shared by every request body the server holds before it knows who sent it. A
 * webhook's body must be read whole before its signature can be checked, so without a bound any
 * outsider could make the server hold as many 25 MB bodies as they open connections. Each body
 * reserves its bytes here (its whole declared length up front, or chunk by chunk when it is sent
 * without a length) and gives them back once it is verified or answered; a body that does not fit
 * is refused with 503 before it is read.
 */
import { Transform, type Readable } from "node:stream";
import { asPromise } from "../operations/as-promise.js";
import type { FastifyReply, FastifyRequest } from "fastify";

export const DEFAULT_BODY_BUDGET_BYTES = 64 * 1024 * 1024;

export class BodyBudget {
  private usedBytes = 0;
  private peakBytes = 0;
  /** Bodies refused because the budget was spent. */
  refused = 0;

  constructor(readonly capacity: number) {}

  /** Bytes reserved right now. */
  get used(): number {
    return this.usedBytes;
  }

  /** The most bytes reserved at once since the server started. */
  get peak(): number {
    return this.peakBytes;
  }

  /** A new reservation for one body; it holds nothing until `take`. */
  open(): BodyReservation {
    return new BodyReservation(this);
  }

  /** @internal */
  tryTake(bytes: number): boolean {
    if (this.usedBytes + bytes > this.capacity) return false;
    this.usedBytes += bytes;
    this.peakBytes = Math.max(this.peakBytes, this.usedBytes);
    return true;
  }

  /** @internal */
  giveBack(bytes: number): void {
    this.usedBytes -= bytes;
  }
}

/** The bytes one body holds of the budget. `release` gives them all back, once. */
export class BodyReservation {
  private held = 0;
  private released = false;

  constructor(private readonly budget: BodyBudget) {}

  get bytes(): number {
    return this.held;
  }

  /** Reserves `bytes` more; false (and nothing reserved) when they do not fit. */
  take(bytes: number): boolean {
    if (this.released) return false;
    if (!this.budget.tryTake(bytes)) {
      this.budget.refused++;
      return false;
    }
    this.held += bytes;
    return true;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.giveBack(this.held);
    this.held = 0;
  }
}

/** Route config of a route that reads its body itself and keeps to the budget on its own (the webhook). */
export const OWN_BODY_CONFIG = { readsItsOwnBody: true } as const;

function readsItsOwnBody(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { readsItsOwnBody?: boolean } | undefined)?.readsItsOwnBody === true;
}

/** A 503 the error handler answers as it is, with `connection: close`. */
export class BudgetSpentError extends Error {
  readonly statusCode = 503;
  constructor() {
    super("the server is busy with other request bodies; try again");
  }
}

/**
 * The `preParsing` hook that puts the bodies of every other route (plugins' routes, whose bodies
 * Fastify's own parsers read up to the route's `bodyLimit`) under the same budget. The bytes are
 * held until the response is finished, as the parsed body lives that long.
 */
export function budgetBodies(budget: BodyBudget) {
  return function preParsing(request: FastifyRequest, reply: FastifyReply, payload: Readable): Promise<Readable> {
    return asPromise(() => reserveBody(budget, request, reply, payload));
  };
}

function reserveBody(budget: BodyBudget, request: FastifyRequest, reply: FastifyReply, payload: Readable): Readable {
  {
    if (readsItsOwnBody(request)) return payload;
    const reservation = budget.open();
    reply.raw.once("close", () => reservation.release());
    const declared = Number(request.headers["content-length"]);
    const limit = request.routeOptions.bodyLimit ?? Number.POSITIVE_INFINITY;
    if (Number.isSafeInteger(declared) && declared >= 0) {
      // More than the route's limit is Fastify's 413, not this budget's business.
      if (!reservation.take(Math.min(declared, limit))) throw new BudgetSpentError();
      return payload;
    }
    // No length: count the bytes as they come.
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        if (reservation.bytes + chunk.length > limit) return callback(null, chunk); // Fastify answers 413
        if (!reservation.take(chunk.length)) return callback(new BudgetSpentError());
        callback(null, chunk);
      },
    });
    payload.on("error", (error) => counter.destroy(error));
    return payload.pipe(counter);
  }
}
