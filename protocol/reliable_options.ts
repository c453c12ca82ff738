/**
 * The tuning of a reliable channel: the options, their defaults and the
 * bounds each must stay within. Pure.
 * @module
 */

/** Tuning of a channel; every field has a default. */
export interface ReliableOptions {
  /** Most seqs from the oldest unacked frame to the newest sent (256). */
  window?: number;
  /** How far past `next` an out-of-order frame is kept (1024). */
  receiveWindow?: number;
  /**
   * Most bytes of out-of-order frames kept, each charged its body plus
   * BUFFERED_FRAME_OVERHEAD (65,536); an early frame that does not fit is
   * dropped unacknowledged and the peer sends it again later. 0 keeps none.
   */
  receiveBufferBytes?: number;
  /** Retransmission timeout before any RTT sample (250). */
  initialRtoMs?: number;
  /** Lower bound of the retransmission timeout (60). */
  minRtoMs?: number;
  /** Upper bound of the retransmission timeout and of backoff (2000). */
  maxRtoMs?: number;
  /** A frame whose try number 1 + maxRetries times out fails the channel (12). */
  maxRetries?: number;
  /** How long an in-order frame's ack may wait for company (10: long enough for company, well under the 60 ms minimum RTO). */
  ackDelayMs?: number;
  /** Frames received since the last ack that make the next one due at once (32: a fast stream never fills the sender's window waiting for the delay). */
  ackEvery?: number;
  /** Seq of the first frame pushed (0). */
  initialSendSeq?: number;
  /** Seq of the first frame expected from the peer (0). */
  initialReceiveSeq?: number;
}

const DEFAULTS: Required<ReliableOptions> = {
  window: 256,
  receiveWindow: 1024,
  receiveBufferBytes: 65_536,
  initialRtoMs: 250,
  minRtoMs: 60,
  maxRtoMs: 2000,
  maxRetries: 12,
  ackDelayMs: 10,
  ackEvery: 32,
  initialSendSeq: 0,
  initialReceiveSeq: 0,
};

// Serial arithmetic needs every live seq within 2^31 of the others.
const MAX_WINDOW = 2 ** 30;

/** Inclusive bounds of each option; only the *Ms ones may be fractional. */
const BOUNDS: Record<
  keyof ReliableOptions,
  readonly [low: number, high: number]
> = {
  window: [1, MAX_WINDOW],
  receiveWindow: [1, MAX_WINDOW],
  receiveBufferBytes: [0, 2 ** 31],
  initialRtoMs: [1, 2 ** 31],
  minRtoMs: [1, 2 ** 31],
  maxRtoMs: [1, 2 ** 31],
  maxRetries: [0, 2 ** 16],
  ackDelayMs: [0, 2 ** 31],
  ackEvery: [1, 2 ** 31],
  initialSendSeq: [0, 2 ** 32 - 1],
  initialReceiveSeq: [0, 2 ** 32 - 1],
};

/**
 * `options` with every default filled in; RangeError when one is out of
 * range.
 */
export function resolveOptions(
  options: ReliableOptions,
): Required<ReliableOptions> {
  // Most channels take the defaults: share one object (the server has thousands).
  if (Object.keys(options).length === 0) return DEFAULTS;
  const o = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as Array<keyof ReliableOptions>) {
    const value = options[key] ?? DEFAULTS[key];
    const [low, high] = BOUNDS[key];
    const whole = key.endsWith("Ms") || Number.isInteger(value);
    if (!(value >= low && value <= high) || !whole) {
      throw new RangeError(
        `Cannot create channel: ${key} is ${value}, need ${low} to ${high}`,
      );
    }
    o[key] = value;
  }
  if (o.minRtoMs > o.maxRtoMs) {
    throw new RangeError(
      `Cannot create channel: minRtoMs ${o.minRtoMs} exceeds maxRtoMs ${o.maxRtoMs}`,
    );
  }
  return o;
}
