/**
 * Parsing and printing "host:port" the way the CLI and the logs show it.
 * @module
 */

/** A UDP endpoint. */
export interface Address {
  hostname: string;
  port: number;
}

/** "host:port", with brackets around an IPv6 host. */
export function formatAddress(address: Address): string {
  const host = address.hostname.includes(":")
    ? `[${address.hostname}]`
    : address.hostname;
  return `${host}:${address.port}`;
}

/** Parse a port number 0..65535; throws RangeError otherwise. */
export function parsePort(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) {
    throw new RangeError(
      `Invalid port "${text}": expected a number from 0 to 65535`,
    );
  }
  return Number(text);
}

/**
 * Parse "host:port", "[v6]:port", or "host" (with `defaultPort`); throws
 * SyntaxError or RangeError with a message fit for the command line.
 */
export function parseAddress(text: string, defaultPort: number): Address {
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(.*))?$/.exec(text);
  if (v6) {
    return {
      hostname: v6[1]!,
      port: v6[2] === undefined ? defaultPort : parsePort(v6[2]),
    };
  }
  const colon = text.lastIndexOf(":");
  const hostname = colon === -1 ? text : text.slice(0, colon);
  if (hostname === "" || /[:\s[\]]/.test(hostname)) {
    throw new SyntaxError(`Invalid address "${text}": expected HOST:PORT`);
  }
  const port = colon === -1 ? defaultPort : parsePort(text.slice(colon + 1));
  return { hostname, port };
}
