/**
 * The member's side of finding a room: where probes go, which answers
 * count (those echoing our nonce, once per server), how a room is shown,
 * and what `join` does with what it found. Pure: answers and interfaces
 * come in.
 * @module
 */

import {
  type Answer,
  decodeAnswer,
  DISCOVERY_GROUP_V4,
  DISCOVERY_GROUP_V6,
  isLinkLocalV6,
  type Nic,
  sameBytes,
} from "../protocol/discovery.ts";
import { formatAddress } from "../protocol/address.ts";
import { sanitize } from "../wording/sanitize.ts";

/** A room that answered. */
export type Room = Omit<Answer, "nonce">;

/**
 * Where probes go: this machine's loopback broadcast (a server on the same
 * machine), the limited broadcast, each IPv4 interface's subnet broadcast,
 * and the multicast group.
 */
export function probeTargets(nics: readonly Nic[]): string[] {
  const subnets = nics.flatMap((n) => {
    if (n.family !== "IPv4" || n.address.startsWith("127.")) return [];
    const address = n.address.split(".").map(Number);
    const mask = n.netmask.split(".").map(Number);
    if (address.length !== 4 || mask.length !== 4) return [];
    // A /31 or /32 has no broadcast address.
    if (mask[3]! >= 254) return [];
    return [address.map((a, i) => (a | (~mask[i]! & 0xff)) & 0xff).join(".")];
  });
  return [
    "127.255.255.255",
    "255.255.255.255",
    ...new Set(subnets),
    DISCOVERY_GROUP_V4,
  ];
}

/**
 * Where IPv6 probes go: the IPv6 group on each interface with a link-local
 * address, as GROUP%INDEX (the index names the interface).
 */
export function probeTargetsV6(nics: readonly Nic[]): string[] {
  const links = nics.flatMap((n) =>
    n.family === "IPv6" && isLinkLocalV6(n.address) && n.scopeid
      ? [`${DISCOVERY_GROUP_V6}%${n.scopeid}`]
      : []
  );
  return [...new Set(links)];
}

/** The rooms that answered one round of probes, each server once. */
export class Found {
  #nonce: Uint8Array;
  #rooms: Room[] = [];

  /** Answers must echo `nonce`. */
  constructor(nonce: Uint8Array) {
    this.#nonce = nonce;
  }

  /** Take a datagram; true when it was a new room. Anything else is ignored. */
  add(bytes: Uint8Array): boolean {
    let answer: Answer;
    try {
      answer = decodeAnswer(bytes);
    } catch {
      return false;
    }
    if (!sameBytes(answer.nonce, this.#nonce)) return false;
    if (this.#rooms.some((r) => sameBytes(r.serverId, answer.serverId))) {
      return false;
    }
    const { nonce: _, ...room } = answer;
    this.#rooms.push(room);
    return true;
  }

  /** The rooms, by name then address. */
  get rooms(): Room[] {
    return [...this.#rooms].sort((a, b) =>
      a.room.localeCompare(b.room) ||
      roomAddress(a).localeCompare(roomAddress(b))
    );
  }
}

/** HOST:PORT of a room. */
export function roomAddress(room: Room): string {
  return formatAddress(room);
}

/** One line for a room: name, address, members, passphrase. */
export function roomLine(room: Room): string {
  const members = `${room.members} member${room.members === 1 ? "" : "s"}`;
  const lock = room.passphrase ? "passphrase" : "open";
  return `${sanitize(room.room)}  ${roomAddress(room)}  ${members}  ${lock}`;
}

/** A room as one JSON object, as `find --json` prints it. */
export function roomJson(room: Room): string {
  return JSON.stringify({
    room: room.room,
    address: room.hostname,
    port: room.port,
    members: room.members,
    passphrase: room.passphrase,
    version: room.version,
  });
}

/** What `join NAME` without --server does with the rooms found. */
export type Choice =
  | { kind: "none" }
  | { kind: "one"; room: Room }
  | { kind: "several"; rooms: Room[] };

/** The choice for `rooms`. */
export function choose(rooms: readonly Room[]): Choice {
  if (rooms.length === 0) return { kind: "none" };
  if (rooms.length === 1) return { kind: "one", room: rooms[0]! };
  return { kind: "several", rooms: [...rooms] };
}

/**
 * The room picked by what the user typed for `rooms` listed 1..N: its
 * number, or its name when exactly one room has it; undefined otherwise.
 */
export function pick(rooms: readonly Room[], typed: string): Room | undefined {
  const text = typed.trim();
  if (/^\d+$/.test(text)) return rooms[Number(text) - 1];
  const named = rooms.filter((r) => r.room === text);
  return named.length === 1 ? named[0] : undefined;
}
