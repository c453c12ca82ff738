"""The classic single-process chat server, written for the benchmark.

The design the benchmark compares udpchat with: one socket, one loop;
recvfrom a datagram, then sendto each member in turn. Text protocol:
  "L name"       -> "OK" (joins, or moves the name to this address)
  "C name text"  -> "name: text" to every other member
  "Q name"       -> "EXIT" (leaves)

usage: python3 classic.py [--host 127.0.0.1] [--port 0]
Prints "classic listening on HOST:PORT" once bound; serves until killed.
"""

import argparse
import socket


def serve(sock: socket.socket) -> None:
    members: dict[str, tuple[str, int]] = {}
    while True:
        data, addr = sock.recvfrom(65535)
        kind, _, rest = data.partition(b" ")
        if kind == b"L" and rest:
            members[rest.decode(errors="replace")] = addr
            sock.sendto(b"OK", addr)
        elif kind == b"C":
            name, _, text = rest.partition(b" ")
            line = name + b": " + text
            sender = name.decode(errors="replace")
            for member, where in members.items():
                if member != sender:
                    sock.sendto(line, where)
        elif kind == b"Q" and rest:
            members.pop(rest.decode(errors="replace"), None)
            sock.sendto(b"EXIT", addr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((args.host, args.port))
    host, port = sock.getsockname()
    print(f"classic listening on {host}:{port}", flush=True)
    try:
        serve(sock)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
