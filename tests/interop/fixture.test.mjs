// parley-conformance against the real socket.io-client v4 and raw WebSocket frames.
// Run by ctest (interop_fixture) with PARLEY_CONFORMANCE_BIN set; by hand:
//   PARLEY_CONFORMANCE_BIN=<build>/tests/conformance/parley-conformance node --test fixture.test.mjs
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";

import { openRawSocket, startServer, within } from "./support.mjs";

const { io } = await import("socket.io-client");

const BINARY = process.env.PARLEY_CONFORMANCE_BIN;
const MAX_PAYLOAD = 1000000; // the fixture's Engine.IO maxPayload
const PING_INTERVAL = 300; // the fixture's heartbeat

function connectClient(url, options = {}) {
  const socket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false, ...options });
  return socket;
}

function once(emitter, event) {
  return new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));
}

describe("socket.io mode with socket.io-client", () => {
  let server;
  before(async () => {
    server = await startServer(BINARY, ["--mode", "socket.io"]);
  });
  after(async () => {
    await server?.stop();
  });

  test("connects over websocket and gets its CONNECT auth back", async (t) => {
    const socket = connectClient(server.url, { auth: { token: "abc" } });
    t.after(() => socket.disconnect());
    const [auth] = await within(3000, once(socket, "auth"), "the auth event");
    assert.deepEqual(auth, { token: "abc" });
    assert.equal(socket.connected, true);
    assert.equal(socket.io.engine.transport.name, "websocket");
    assert.equal(typeof socket.id, "string");
  });

  test("a CONNECT without auth gets {} back", async (t) => {
    const socket = connectClient(server.url);
    t.after(() => socket.disconnect());
    const [auth] = await within(3000, once(socket, "auth"), "the auth event");
    assert.deepEqual(auth, {});
  });

  test("message is answered with message-back and the same arguments", async (t) => {
    const socket = connectClient(server.url);
    t.after(() => socket.disconnect());
    await within(3000, once(socket, "connect"), "connect");
    const back = once(socket, "message-back");
    socket.emit("message", 1, "2", { 3: [true] }, null);
    assert.deepEqual(await within(3000, back, "message-back"), [1, "2", { 3: [true] }, null]);
  });

  test("message-with-ack is acknowledged with the same arguments", async (t) => {
    const socket = connectClient(server.url);
    t.after(() => socket.disconnect());
    await within(3000, once(socket, "connect"), "connect");
    const reply = await within(
      3000,
      new Promise((resolve) => socket.emit("message-with-ack", "hi", { n: 7 }, [1, 2], (...args) => resolve(args))),
      "the ack",
    );
    assert.deepEqual(reply, ["hi", { n: 7 }, [1, 2]]);
  });

  test("binary arguments (Buffer) round-trip, in events and in acks", async (t) => {
    const socket = connectClient(server.url);
    t.after(() => socket.disconnect());
    await within(3000, once(socket, "connect"), "connect");

    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const nested = Buffer.alloc(70000, 7); // larger than one small frame
    const back = once(socket, "message-back");
    socket.emit("message", bytes, { nested, label: "x" });
    const [first, second] = await within(3000, back, "message-back");
    assert.ok(Buffer.isBuffer(first));
    assert.ok(first.equals(bytes));
    assert.equal(second.label, "x");
    assert.ok(Buffer.from(second.nested).equals(nested));

    const acked = await within(
      3000,
      new Promise((resolve) => socket.emit("message-with-ack", "b", bytes, (...args) => resolve(args))),
      "the binary ack",
    );
    assert.equal(acked[0], "b");
    assert.ok(Buffer.from(acked[1]).equals(bytes));
  });

  test("stays connected across more than three heartbeats", async (t) => {
    const socket = connectClient(server.url);
    t.after(() => socket.disconnect());
    await within(3000, once(socket, "connect"), "connect");
    let pings = 0;
    socket.io.engine.on("ping", () => {
      pings += 1;
    });
    let disconnectReason = null;
    socket.on("disconnect", (reason) => {
      disconnectReason = reason;
    });
    await within(
      5000,
      new Promise((resolve) => {
        const poll = setInterval(() => {
          if (pings >= 4) {
            clearInterval(poll);
            resolve();
          }
        }, PING_INTERVAL / 3);
      }),
      "four pings",
    );
    assert.equal(disconnectReason, null);
    assert.equal(socket.connected, true);
    const back = once(socket, "message-back");
    socket.emit("message", "still here");
    assert.deepEqual(await within(3000, back, "message-back"), ["still here"]);
  });

  test("an unknown namespace is refused with Invalid namespace", async (t) => {
    const socket = connectClient(`${server.url}/random`);
    t.after(() => socket.disconnect());
    const [error] = await within(3000, once(socket, "connect_error"), "connect_error");
    assert.equal(error.message, "Invalid namespace");
  });

  test("/custom accepts a connection and echoes its auth", async (t) => {
    const socket = connectClient(`${server.url}/custom`, { auth: { room: 42 } });
    t.after(() => socket.disconnect());
    const [auth] = await within(3000, once(socket, "auth"), "the auth event");
    assert.deepEqual(auth, { room: 42 });
  });
});

describe("socket.io mode with raw frames", () => {
  let server;
  before(async () => {
    server = await startServer(BINARY, ["--mode", "socket.io"]);
  });
  after(async () => {
    await server?.stop();
  });

  async function handshake(path) {
    const raw = openRawSocket(server.port, path);
    const open = await within(3000, raw.next(), "the open packet");
    assert.match(open, /^0\{/);
    const info = JSON.parse(open.slice(1));
    assert.deepEqual(info.upgrades, []);
    assert.equal(info.pingInterval, PING_INTERVAL);
    assert.equal(info.maxPayload, MAX_PAYLOAD);
    return raw;
  }

  test("CONNECT, auth event and an ack, frame by frame", async (t) => {
    const raw = await handshake();
    t.after(() => raw.ws.terminate());
    raw.send('40{"token":"t"}');
    const accepted = await within(3000, raw.nextNonPing(), "the CONNECT reply");
    assert.match(accepted, /^40\{"sid":"[^"]+"\}$/);
    assert.equal(await within(3000, raw.nextNonPing(), "auth"), '42["auth",{"token":"t"}]');
    raw.send('4217["message-with-ack",{"a":1}]');
    assert.equal(await within(3000, raw.nextNonPing(), "the ack"), '4317[{"a":1}]');
  });

  test("an unknown namespace gets CONNECT_ERROR", async (t) => {
    const raw = await handshake();
    t.after(() => raw.ws.terminate());
    raw.send("40/random,");
    assert.equal(
      await within(3000, raw.nextNonPing(), "CONNECT_ERROR"),
      '44/random,{"message":"Invalid namespace"}',
    );
  });

  for (const [name, frame] of [
    ["an unknown Engine.IO packet type", "9"],
    ["a text frame that is not a packet", "hello"],
    ["an unknown Socket.IO packet type", "4abc"],
    ["an EVENT whose payload is not an array", "42{}"],
    ["an invalid ack id", '42abc["message-with-ack",1]'],
    ["a packet for a namespace not joined", '42/custom,["message",1]'],
    ["a CONNECT_ERROR sent by the client", '44{"message":"no"}'],
  ]) {
    test(`${name} closes the connection`, async (t) => {
      const raw = await handshake();
      t.after(() => raw.ws.terminate());
      raw.send("40");
      await within(3000, raw.nextNonPing(), "the CONNECT reply");
      await within(3000, raw.nextNonPing(), "auth");
      raw.send(frame);
      await within(3000, raw.closed, "the close");
    });
  }

  test("a frame of maxPayload bytes is accepted", async (t) => {
    const raw = await handshake();
    t.after(() => raw.ws.terminate());
    raw.send("40");
    await within(3000, raw.nextNonPing(), "the CONNECT reply");
    await within(3000, raw.nextNonPing(), "auth");
    const prefix = '42["message","';
    const suffix = '"]';
    const text = prefix + "x".repeat(MAX_PAYLOAD - prefix.length - suffix.length) + suffix;
    assert.equal(Buffer.byteLength(text), MAX_PAYLOAD);
    raw.send(text);
    const back = await within(5000, raw.nextNonPing(), "message-back");
    assert.ok(back.startsWith('42["message-back","xxx'));
  });

  test("a frame over maxPayload closes the connection", async (t) => {
    const raw = await handshake();
    t.after(() => raw.ws.terminate());
    raw.send("4" + "x".repeat(MAX_PAYLOAD)); // maxPayload + 1 bytes
    const { code } = await within(5000, raw.closed, "the close");
    assert.notEqual(code, 1000);
  });

  test("plain HTTP gets 400 with a JSON reason", async () => {
    for (const path of ["/", "/socket.io/?EIO=4&transport=polling", "/socket.io/?EIO=3&transport=websocket"]) {
      const response = await fetch(`${server.url}${path}`);
      assert.equal(response.status, 400, path);
      assert.equal(response.headers.get("connection"), "close");
      const body = await response.json();
      assert.equal(typeof body.code, "number");
      assert.equal(typeof body.message, "string");
    }
  });

  test("a WebSocket upgrade with the wrong EIO is refused with 400", async () => {
    const WebSocket = (await import("ws")).default;
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=3&transport=websocket`);
    const status = await within(
      3000,
      new Promise((resolve) => {
        ws.on("unexpected-response", (req, res) => resolve(res.statusCode));
        ws.on("error", () => {});
      }),
      "the refusal",
    );
    assert.equal(status, 400);
  });

  test("GET /healthz answers 200 with JSON", async () => {
    const response = await fetch(`${server.url}/healthz`);
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.status, "ok");
    assert.equal(typeof body.connections, "number");
    assert.equal(typeof body.rooms, "number");
  });
});

describe("engine.io mode", () => {
  let server;
  before(async () => {
    server = await startServer(BINARY, ["--mode", "engine.io"]);
  });
  after(async () => {
    await server?.stop();
  });

  test("echoes text and binary message packets", async (t) => {
    const raw = openRawSocket(server.port, "/engine.io/");
    t.after(() => raw.ws.terminate());
    assert.match(await within(3000, raw.next(), "the open packet"), /^0\{/);
    raw.send("4hello");
    assert.equal(await within(3000, raw.nextNonPing(), "the text echo"), "4hello");
    raw.send(Buffer.from([1, 2, 3, 4]));
    const echoed = await within(3000, raw.nextNonPing(), "the binary echo");
    assert.ok(Buffer.isBuffer(echoed));
    assert.ok(echoed.equals(Buffer.from([1, 2, 3, 4])));
  });

  test("a client that never answers pings is closed", async (t) => {
    const raw = openRawSocket(server.port, "/engine.io/");
    t.after(() => raw.ws.terminate());
    await within(3000, raw.closed, "the ping-timeout close");
  });
});
