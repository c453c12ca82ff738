import assert from "node:assert/strict";
import { acceptedInTheClear, inTheClear } from "./clear.ts";
import { encodePacket } from "./packet_encode.ts";
import { COOKIE_BYTES, NONCE_BYTES } from "./limits.ts";

const NONCE = new Uint8Array(NONCE_BYTES).fill(5);

Deno.test({
  name:
    "inTheClear() lets only the salt request, COOKIE, REFUSE and classic text go unsealed",
  permissions: "none",
  fn() {
    const probe = encodePacket({
      type: "join",
      nonce: NONCE,
      cookie: new Uint8Array(COOKIE_BYTES),
      name: "ann",
    });
    const join = encodePacket({
      type: "join",
      nonce: NONCE,
      cookie: new Uint8Array(COOKIE_BYTES).fill(1),
      name: "ann",
    });
    const cookie = encodePacket({
      type: "cookie",
      nonce: NONCE,
      cookie: new Uint8Array(COOKIE_BYTES),
    });
    const refuse = encodePacket({
      type: "refuse",
      nonce: NONCE,
      code: 2,
      reason: "taken",
    });
    const text = new TextEncoder().encode("ann: hi\n");
    assert.equal(inTheClear(probe, "member"), true);
    assert.equal(inTheClear(join, "member"), false);
    assert.equal(inTheClear(text, "member"), false);
    assert.equal(inTheClear(cookie, "server"), true);
    assert.equal(inTheClear(refuse, "server"), true);
    assert.equal(inTheClear(text, "server"), true);
    assert.equal(inTheClear(probe, "server"), false);
  },
});

Deno.test({
  name:
    "acceptedInTheClear() takes only a JOIN at the server, COOKIE or REFUSE at a member",
  permissions: "none",
  fn() {
    const types = [
      "join",
      "cookie",
      "welcome",
      "refuse",
      "session",
      "reset",
    ] as const;
    assert.deepEqual(
      types.filter((t) => acceptedInTheClear(t, "server")),
      ["join"],
    );
    assert.deepEqual(
      types.filter((t) => acceptedInTheClear(t, "member")),
      ["cookie", "refuse"],
    );
  },
});
