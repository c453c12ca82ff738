/**
 * Counters of what the server did, for `/stats` and the benchmark.
 * @module
 */

/** Datagram and message counters; drops are counted by reason. */
export class Stats {
  datagramsIn = 0;
  datagramsOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  messages = 0;
  readonly drops = new Map<string, number>();

  /** Count a received datagram. */
  datagramIn(bytes: number): void {
    this.datagramsIn++;
    this.bytesIn += bytes;
  }

  /** Count a sent datagram. */
  datagramOut(bytes: number): void {
    this.datagramsOut++;
    this.bytesOut += bytes;
  }

  /** Count an accepted chat or admin message. */
  message(): void {
    this.messages++;
  }

  /** Count a dropped datagram or message under `reason`. */
  drop(reason: string): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
  }

  /** Total drops over every reason. */
  get dropped(): number {
    let total = 0;
    for (const n of this.drops.values()) total += n;
    return total;
  }

  /** A plain object snapshot (structured-clone safe). */
  snapshot(): StatsSnapshot {
    return {
      datagramsIn: this.datagramsIn,
      datagramsOut: this.datagramsOut,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      messages: this.messages,
      drops: Object.fromEntries(this.drops),
    };
  }
}

/** What `Stats.snapshot` returns. */
export interface StatsSnapshot {
  datagramsIn: number;
  datagramsOut: number;
  bytesIn: number;
  bytesOut: number;
  messages: number;
  drops: Record<string, number>;
}
