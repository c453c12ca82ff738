/**
 * Network namespaces for the LAN tests (root only): a hub namespace holds
 * two bridges, one per subnet (10.213.1.0/24 and 10.213.2.0/24, addresses
 * that exist only here), and routes between them; each namespace the test
 * asks for gets a veth into one bridge. Nothing touches the root namespace
 * but the veths' creation. Names carry the test process's pid, so leftovers
 * of a killed run are recognised and removed.
 * @module
 */

const PREFIX = "uclan";
const MAIN = new URL("../main.ts", import.meta.url).pathname;
const CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** True when this process may make namespaces: root, with `ip`. */
export function canMakeNamespaces(): boolean {
  try {
    if (Deno.uid() !== 0) return false;
    return new Deno.Command("ip", {
      args: ["-V"],
      stdout: "null",
      stderr: "null",
    })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** Run `ip ARGS`; throws with its stderr on failure. */
export async function ip(...args: string[]): Promise<string> {
  const out = await new Deno.Command("ip", {
    args,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `ip ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return text;
}

/** Kill what runs in namespace `ns` and delete it (quietly if it is gone). */
async function remove(ns: string): Promise<void> {
  const pids = await ip("netns", "pids", ns).catch(() => "");
  for (const pid of pids.split(/\s+/).filter(Boolean)) {
    try {
      Deno.kill(Number(pid), "SIGKILL");
    } catch {
      // Gone already.
    }
  }
  await ip("netns", "del", ns).catch(() => {});
}

/** Remove the namespaces of earlier runs whose process is gone. */
async function removeLeftovers(): Promise<void> {
  for (const line of (await ip("netns", "list")).split("\n")) {
    const match = new RegExp(`^(${PREFIX}(\\d+)-\\S+)`).exec(line);
    if (!match) continue;
    const pid = Number(match[2]);
    let alive = false;
    try {
      Deno.statSync(`/proc/${pid}`);
      alive = true;
    } catch {
      alive = false;
    }
    if (!alive) await remove(match[1]!);
  }
}

let labs = 0;

/** A hub with two subnets and the namespaces attached to them. */
export class Lab implements AsyncDisposable {
  readonly #id: string;
  readonly #namespaces: string[] = [];
  #veths = 0;

  private constructor(id: string) {
    this.#id = id;
  }

  /** A fresh hub: bridges br1 (10.213.1.254/24) and br2 (10.213.2.254/24), forwarding between them. */
  static async open(): Promise<Lab> {
    if (labs === 0) await removeLeftovers();
    const lab = new Lab(`${PREFIX}${Deno.pid}-${++labs}`);
    try {
      const hub = await lab.#make("hub");
      for (const subnet of [1, 2]) {
        // No multicast snooping: every group's datagrams reach every port,
        // whether or not the bridge heard the membership report.
        await ip(
          "-n",
          hub,
          "link",
          "add",
          `br${subnet}`,
          "type",
          "bridge",
          "mcast_snooping",
          "0",
        );
        await ip(
          "-n",
          hub,
          "addr",
          "add",
          `10.213.${subnet}.254/24`,
          "dev",
          `br${subnet}`,
        );
        await ip("-n", hub, "link", "set", `br${subnet}`, "up");
      }
      await ip("netns", "exec", hub, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    } catch (error) {
      await lab[Symbol.asyncDispose]();
      throw error;
    }
    return lab;
  }

  async #make(name: string): Promise<string> {
    const ns = `${this.#id}-${name}`;
    await ip("netns", "add", ns);
    this.#namespaces.push(ns);
    await ip("-n", ns, "link", "set", "lo", "up");
    return ns;
  }

  /**
   * A namespace with only loopback (`subnet` undefined), or on `subnet`
   * (1 or 2) at 10.213.SUBNET.HOST, its default route through the hub.
   */
  async namespace(
    name: string,
    subnet?: number,
    host?: number,
  ): Promise<string> {
    const ns = await this.#make(name);
    if (subnet === undefined) return ns;
    const hub = `${this.#id}-hub`;
    const veth = `uc${Deno.pid % 100_000}v${++this.#veths}`;
    await ip(
      "link",
      "add",
      "eth0",
      "netns",
      ns,
      "type",
      "veth",
      "peer",
      "name",
      veth,
      "netns",
      hub,
    );
    await ip("-n", hub, "link", "set", veth, "master", `br${subnet}`, "up");
    await ip(
      "-n",
      ns,
      "addr",
      "add",
      `10.213.${subnet}.${host}/24`,
      "dev",
      "eth0",
    );
    // No duplicate address detection: the IPv6 link-local address is
    // usable as soon as the link is up.
    await ip(
      "netns",
      "exec",
      ns,
      "sysctl",
      "-qw",
      "net.ipv6.conf.eth0.accept_dad=0",
    );
    await ip("-n", ns, "link", "set", "eth0", "up");
    await ip(
      "-n",
      ns,
      "route",
      "add",
      "default",
      "via",
      `10.213.${subnet}.254`,
    );
    return ns;
  }

  /** Wait until eth0 in `ns` has a usable IPv6 link-local address; that address. */
  static async linkLocal(ns: string, deadlineMs = 30_000): Promise<string> {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const out = await ip("-n", ns, "-6", "addr", "show", "dev", "eth0");
      const match = /inet6 (fe80::[0-9a-f:]+)\/64 scope link(?! .*tentative)/
        .exec(out);
      if (match) return match[1]!;
      if (Date.now() > deadline) {
        throw new Error(
          `eth0 in ${ns} has no usable IPv6 link-local address after ${deadlineMs} ms:\n${out}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** `deno run` of main.ts (or `script`) inside `ns`, as `Proc` takes it. */
  static run(ns: string, script = MAIN): string[] {
    return [
      "netns",
      "exec",
      ns,
      Deno.execPath(),
      "run",
      "--config",
      CONFIG,
      "-A",
      script,
    ];
  }

  /** Kill what runs in the namespaces and delete them. */
  async [Symbol.asyncDispose](): Promise<void> {
    for (const ns of this.#namespaces.reverse()) await remove(ns);
  }
}
