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
  /** [time, messages] about once a second, the last ten seconds' worth. */
  #samples: Array<[number, number]> = [];

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

  /** Note the message count (call often; keeps one sample a second). */
  sample(now: number): void {
    const last = this.#samples.at(-1);
    if (last !== undefined && now - last[0] < 1000) return;
    this.#samples.push([now, this.messages]);
    if (this.#samples.length > 11) this.#samples.shift();
  }

  /** Messages per second over the last (up to) ten seconds. */
  messagesPerSecond(now: number): number {
    const first = this.#samples[0];
    if (first === undefined || now - first[0] < 1) return 0;
    return ((this.messages - first[1]) * 1000) / (now - first[0]);
  }

  /** Total drops over every reason. */
  get dropped(): number {
    let total = 0;
    for (const n of this.drops.values()) total += n;
    return total;
  }
}
