import assert from "node:assert/strict";
import {
  decodeWebRequest,
  encodeWebReply,
  MAX_WEB_FRAME_BYTES,
} from "./web_frames.ts";

const opts = { permissions: "none" } as const;

Deno.test("decodeWebRequest() reads each kind of request", opts, () => {
  assert.deepEqual(
    decodeWebRequest('{"type":"hello","v":1,"name":"alice","lang":"zh"}'),
    { type: "hello", name: "alice", lang: "zh" },
  );
  const token = "0123456789abcdef".repeat(2);
  assert.deepEqual(
    decodeWebRequest(JSON.stringify({
      type: "hello",
      v: 1,
      name: "a",
      resume: { token, lastSeen: 42 },
      proof: "AAAA",
      extra: "ignored",
    })),
    {
      type: "hello",
      name: "a",
      resume: { token, lastSeen: 42 },
      proof: "AAAA",
    },
  );
  assert.deepEqual(decodeWebRequest('{"type":"watch","v":1}'), {
    type: "watch",
  });
  assert.deepEqual(decodeWebRequest('{"type":"line","text":"你好 /me"}'), {
    type: "line",
    text: "你好 /me",
  });
  assert.deepEqual(decodeWebRequest('{"type":"ping"}'), { type: "ping" });
});

Deno.test(
  "decodeWebRequest() rejects what is not a request, saying why",
  opts,
  () => {
    const cases: Array<[string, ErrorConstructor, RegExp]> = [
      ["", SyntaxError, /not JSON/],
      ["{", SyntaxError, /not JSON/],
      ["null", TypeError, /not an object/],
      ["[1]", TypeError, /not an object/],
      ['"hello"', TypeError, /not an object/],
      ['{"type":"nope"}', TypeError, /unknown type "nope"/],
      ['{"type":{"x":1}}', TypeError, /unknown type/],
      ['{"type":"hello","name":"a"}', RangeError, /version undefined, need 1/],
      ['{"type":"hello","v":2,"name":"a"}', RangeError, /version 2/],
      ['{"type":"hello","v":1}', TypeError, /name is not a string/],
      ['{"type":"hello","v":1,"name":7}', TypeError, /name is not a string/],
      ['{"type":"hello","v":1,"name":"a","lang":"fr"}', RangeError, /lang/],
      ['{"type":"hello","v":1,"name":"a","resume":1}', TypeError, /resume/],
      [
        '{"type":"hello","v":1,"name":"a","resume":{"token":"zz","lastSeen":1}}',
        SyntaxError,
        /token is not hex/,
      ],
      [
        `{"type":"hello","v":1,"name":"a","resume":{"token":"${
          "a".repeat(32)
        }","lastSeen":-1}}`,
        RangeError,
        /lastSeen/,
      ],
      [
        `{"type":"hello","v":1,"name":"a","resume":{"token":"${
          "a".repeat(32)
        }","lastSeen":1.5}}`,
        RangeError,
        /lastSeen/,
      ],
      ['{"type":"watch","v":1,"proof":"<script>"}', SyntaxError, /base64/],
      ['{"type":"line"}', TypeError, /text is not a string/],
      ['{"type":"line","text":["a"]}', TypeError, /text is not a string/],
      [
        `{"type":"hello","v":1,"name":"${"x".repeat(300)}"}`,
        RangeError,
        /name is longer/,
      ],
      [
        `{"type":"line","text":"${"x".repeat(MAX_WEB_FRAME_BYTES)}"}`,
        RangeError,
        /longer than/,
      ],
    ];
    for (const [text, kind, message] of cases) {
      assert.throws(() => decodeWebRequest(text), (error: unknown) => {
        assert.ok(error instanceof kind, `${text.slice(0, 60)}: ${error}`);
        assert.match((error as Error).message, message, text.slice(0, 60));
        assert.match((error as Error).message, /^Cannot decode frame: /);
        return true;
      });
    }
  },
);

Deno.test("decodeWebRequest() survives random and mutated input", opts, () => {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const samples = [
    '{"type":"hello","v":1,"name":"alice","resume":{"token":"' +
    "ab".repeat(16) + '","lastSeen":3},"proof":"AAAA"}',
    '{"type":"line","text":"hi"}',
    '{"type":"watch","v":1}',
    '{"__proto__":{"type":"ping"},"constructor":1}',
  ];
  const alphabet = '{}[]":,0123456789abcdefv-type\\u\u0000\ud800 é你';
  for (let i = 0; i < 5000; i++) {
    const base = samples[i % samples.length]!;
    let text = base;
    for (let edits = 1 + Math.floor(next() * 4); edits > 0; edits--) {
      const at = Math.floor(next() * (text.length + 1));
      const ch = alphabet[Math.floor(next() * alphabet.length)]!;
      text = next() < 0.5
        ? text.slice(0, at) + ch + text.slice(at)
        : text.slice(0, at) + text.slice(at + 1);
    }
    try {
      const request = decodeWebRequest(text);
      assert.ok(["hello", "watch", "line", "ping"].includes(request.type));
    } catch (error) {
      assert.ok(
        error instanceof SyntaxError || error instanceof TypeError ||
          error instanceof RangeError,
        `${JSON.stringify(text)}: ${error}`,
      );
    }
  }
  // A prototype key is data, never the frame's type.
  assert.throws(
    () => decodeWebRequest('{"__proto__":{"type":"ping"}}'),
    TypeError,
  );
});

Deno.test("encodeWebReply() writes text as JSON, markup and all", opts, () => {
  const text = encodeWebReply({
    type: "lines",
    kind: "chat",
    id: 3,
    time: 1,
    lines: [{ text: "<img src=x onerror=alert(1)>", style: "chat" }],
  });
  assert.deepEqual(
    JSON.parse(text).lines[0].text,
    "<img src=x onerror=alert(1)>",
  );
});
