/**
 * The chat core's members as it keeps them: each one's port, address, flood
 * gate and idle time, counted per kind; and the fan-out, which hands a
 * delivery to every port it is for and notices who falls behind. Pure.
 * @module
 */

import type { ServerEvent } from "../protocol/events.ts";
import { FloodGate } from "./flood.ts";
import { noticesFor, type NoticeWords } from "../wording/notices.ts";
import { type MemberPort, Outbound } from "./port.ts";
import type { Delivery } from "./room.ts";

/** A member as the chat core keeps it. */
export interface Seat {
  readonly id: number;
  readonly port: MemberPort;
  /** The IP address it came from (bans). */
  readonly host: string;
  readonly gate: FloodGate;
  warnedSlow: boolean;
  /** When it last asked for anything (its idle time in /who). */
  lastActive: number;
}

/** Every member's seat, by id, counted per kind. */
export class Seats {
  #seats = new Map<number, Seat>();
  /** How many members of each kind (counted, not scanned: joins can come in floods). */
  #ofKind = new Map<string, number>();
  #rate: number;
  #burst: number;
  #maxBacklog: number;

  /** Seats whose flood gates let `burst` through, then `rate` a second; `maxBacklog` messages may wait for one. */
  constructor(rate: number, burst: number, maxBacklog: number) {
    this.#rate = rate;
    this.#burst = burst;
    this.#maxBacklog = maxBacklog;
  }

  /** How many members there are of `kind` (all kinds without one). */
  count(kind?: string): number {
    if (kind === undefined) return this.#seats.size;
    return this.#ofKind.get(kind) ?? 0;
  }

  /** The seat of member `id`. */
  get(id: number): Seat | undefined {
    return this.#seats.get(id);
  }

  /** Every seat, in the order they were taken. */
  values(): IterableIterator<Seat> {
    return this.#seats.values();
  }

  /** Seat member `id` and tell it the flood limit, so its client paces itself under it. */
  add(id: number, host: string, port: MemberPort, now: number): Seat {
    const seat: Seat = {
      id,
      port,
      host,
      gate: new FloodGate(this.#rate, this.#burst, now),
      warnedSlow: false,
      lastActive: now,
    };
    this.#seats.set(id, seat);
    this.#ofKind.set(port.kind, this.count(port.kind) + 1);
    this.tellLimits(seat);
    return seat;
  }

  /** Take `seat` away; false when it was not there. */
  delete(seat: Seat): boolean {
    if (!this.#seats.delete(seat.id)) return false;
    this.#ofKind.set(seat.port.kind, this.count(seat.port.kind) - 1);
    return true;
  }

  /** Tell `seat`'s member the flood limit. */
  tellLimits(seat: Seat): void {
    const event: ServerEvent = {
      kind: "limits",
      burst: this.#burst,
      perSecond: this.#rate,
    };
    seat.port.deliver(new Outbound(event));
  }

  /** Hand each delivery to the ports it is for, encoded once; returns who is too far behind. */
  fanOut(deliveries: readonly Delivery[]): Seat[] {
    const slow: Seat[] = [];
    for (const delivery of deliveries) {
      const outbound = new Outbound(delivery.event);
      if (delivery.to !== "all") {
        const seat = this.#seats.get(delivery.to);
        if (seat !== undefined && this.#behind(seat, outbound)) slow.push(seat);
        continue;
      }
      for (const seat of this.#seats.values()) {
        if (seat.id === delivery.except) continue;
        if (this.#behind(seat, outbound)) slow.push(seat);
      }
    }
    return slow;
  }

  /** Deliver to one member; warn it when it falls behind; true once too far behind. */
  #behind(seat: Seat, outbound: Outbound): boolean {
    const backlog = seat.port.deliver(outbound);
    if (backlog > this.#maxBacklog) return true;
    if (backlog > this.#maxBacklog / 2 && !seat.warnedSlow) {
      seat.warnedSlow = true;
      const text = words(seat).behind(backlog);
      seat.port.deliver(new Outbound({ kind: "notice", text }));
    }
    return false;
  }
}

/** The server's words to the member in `seat`: English unless it named another language. */
export function words(seat: Seat): NoticeWords {
  return noticesFor(seat.port.lang ?? "en");
}
