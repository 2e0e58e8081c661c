// parley-server against the real, unmodified socket.io-client v4: the whole contract
// (docs/protocol.md) as a JavaScript client sees it — register, log in, refresh,
// connect, channels, messages, error codes — and durability across a restart.
// Run by ctest (interop_server) with PARLEY_SERVER_BIN set; by hand:
//   PARLEY_SERVER_BIN=<build>/server/cli/parley-server node --test server.test.mjs
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { startServer, within } from "./support.mjs";

const { io } = await import("socket.io-client");

const BINARY = process.env.PARLEY_SERVER_BIN;

function connect(url, options = {}) {
  return io(url, { transports: ["websocket"], forceNew: true, reconnection: false, ...options });
}

function once(emitter, event) {
  return new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));
}

// Collects every event of the given names, so a test can assert on what did NOT arrive.
function record(socket, names) {
  const seen = Object.fromEntries(names.map((name) => [name, []]));
  for (const name of names) socket.on(name, (payload) => seen[name].push(payload));
  return seen;
}

async function request(socket, event, payload) {
  return within(5000, socket.timeout(5000).emitWithAck(event, payload), `the ack of ${event}`);
}

async function waitUntil(predicate, what, ms = 5000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// /auth is its own namespace: no token needed.
async function authRequest(url, event, payload) {
  const socket = connect(`${url}/auth`);
  try {
    await within(5000, once(socket, "connect"), "the /auth connection");
    return await request(socket, event, payload);
  } finally {
    socket.disconnect();
  }
}

// Connects to `/` with the token and resolves with the connection:ready payload.
async function connectReady(url, token) {
  const socket = connect(url, { auth: { token } });
  const ready = await within(5000, once(socket, "connection:ready"), "connection:ready");
  return { socket, ready: ready[0] };
}

describe("parley-server with socket.io-client", () => {
  let dataDir;
  let server;
  const sockets = [];
  const accounts = {};

  async function login(name) {
    const { socket, ready } = await connectReady(server.url, accounts[name].token);
    sockets.push(socket);
    return { socket, ready };
  }

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-interop-"));
    // Every test below logs in through /auth from one address: lift the per-address limit.
    server = await startServer(BINARY, ["--data-dir", dataDir, "--auth-rate", "1000"]);
    for (const name of ["ada", "bert", "cleo"]) {
      const ack = await authRequest(server.url, "auth:register", {
        username: name,
        password: `${name}-secret-pw`,
        displayName: name.toUpperCase(),
      });
      assert.equal(ack.success, true, JSON.stringify(ack));
      accounts[name] = ack;
    }
  });
  after(async () => {
    for (const socket of sockets) socket.disconnect();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test("register answers a token, the user and its expiry", () => {
    const ack = accounts.ada;
    assert.equal(typeof ack.token, "string");
    assert.equal(ack.user.username, "ada");
    assert.equal(ack.user.displayName, "ADA");
    assert.equal(typeof ack.user.id, "string");
    assert.ok(Date.parse(ack.expiresAt) > Date.now());
  });

  test("/auth failures are acks with the contract's codes", async () => {
    const taken = await authRequest(server.url, "auth:register", { username: "ADA", password: "whatever-pw" });
    assert.deepEqual([taken.success, taken.error.code], [false, "USERNAME_TAKEN"]);
    const short = await authRequest(server.url, "auth:register", { username: "x", password: "whatever-pw" });
    assert.equal(short.error.code, "INVALID_PAYLOAD");
    const wrong = await authRequest(server.url, "auth:login", { username: "ada", password: "not-her-pw" });
    assert.equal(wrong.error.code, "INVALID_CREDENTIALS");
    const garbage = await authRequest(server.url, "auth:refresh", { token: "not.a.token" });
    assert.equal(garbage.error.code, "AUTH_INVALID");
  });

  test("login and refresh hand out tokens that connect", async () => {
    const loggedIn = await authRequest(server.url, "auth:login", { username: "bert", password: "bert-secret-pw" });
    assert.equal(loggedIn.success, true, JSON.stringify(loggedIn));
    assert.equal(loggedIn.user.id, accounts.bert.user.id);
    const refreshed = await authRequest(server.url, "auth:refresh", { token: loggedIn.token });
    assert.equal(refreshed.success, true, JSON.stringify(refreshed));
    const { socket, ready } = await connectReady(server.url, refreshed.token);
    socket.disconnect();
    assert.equal(ready.user.username, "bert");
  });

  test("a valid token gets connection:ready", async () => {
    const { ready } = await login("ada");
    assert.deepEqual(ready.user, accounts.ada.user);
    assert.ok(Array.isArray(ready.channels));
    assert.equal(typeof ready.sessionId, "string");
    assert.ok(!Number.isNaN(Date.parse(ready.serverTime)));
  });

  test("a bad or missing token gets connect_error with its code", async () => {
    for (const [auth, code] of [
      [{ token: "abc.def.ghi" }, "AUTH_INVALID"],
      [{}, "AUTH_MISSING"],
    ]) {
      const socket = connect(server.url, { auth });
      const [error] = await within(5000, once(socket, "connect_error"), "connect_error");
      socket.disconnect();
      assert.equal(error.message, "unauthorized");
      assert.equal(error.data.code, code);
    }
  });

  test("channels: create, list, join, invite, members, leave", async () => {
    const ada = await login("ada");
    const bert = await login("bert");
    const adaEvents = record(ada.socket, ["channel:joined", "channel:member_joined", "channel:member_left"]);
    const bertEvents = record(bert.socket, ["channel:joined", "channel:left"]);

    const created = await request(ada.socket, "channel:create", { name: "lobby", topic: "say hi" });
    assert.equal(created.success, true, JSON.stringify(created));
    assert.equal(created.channel.name, "lobby");
    assert.equal(created.channel.isPrivate, false);
    const lobby = created.channel.id;
    await waitUntil(() => adaEvents["channel:joined"].length === 1, "ada's channel:joined");

    const conflict = await request(bert.socket, "channel:create", { name: "LOBBY" });
    assert.equal(conflict.error.code, "CONFLICT");

    const listed = await request(bert.socket, "channel:list", {});
    assert.ok(listed.channels.some((channel) => channel.id === lobby));

    const joined = await request(bert.socket, "channel:join", { channelId: lobby });
    assert.equal(joined.success, true);
    assert.equal(joined.channel.memberCount, 2);
    await waitUntil(() => adaEvents["channel:member_joined"].length === 1, "channel:member_joined");
    assert.equal(adaEvents["channel:member_joined"][0].user.username, "bert");

    const secret = (await request(ada.socket, "channel:create", { name: "secret", isPrivate: true })).channel;
    const hidden = await request(bert.socket, "channel:join", { channelId: secret.id });
    assert.equal(hidden.error.code, "NOT_FOUND");
    const invited = await request(ada.socket, "channel:invite", { channelId: secret.id, username: "bert" });
    assert.equal(invited.success, true, JSON.stringify(invited));
    await waitUntil(() => bertEvents["channel:joined"].some((c) => c.id === secret.id), "bert's invitation");

    const members = await request(bert.socket, "channel:members", { channelId: secret.id });
    assert.deepEqual(members.members.map((user) => user.username).sort(), ["ada", "bert"]);
    assert.equal(members.hasMore, false);

    const left = await request(bert.socket, "channel:leave", { channelId: secret.id });
    assert.equal(left.success, true);
    await waitUntil(() => bertEvents["channel:left"].length === 1, "channel:left");
    await waitUntil(() => adaEvents["channel:member_left"].length === 1, "channel:member_left");
    const again = await request(bert.socket, "channel:leave", { channelId: secret.id });
    assert.equal(again.error.code, "NOT_FOUND");
  });

  test("a message reaches its channel room and no other, acked with its id", async () => {
    const ada = await login("ada");
    const bert = await login("bert");
    const cleo = await login("cleo");
    const room = (await request(ada.socket, "channel:create", { name: "room-a" })).channel.id;
    await request(bert.socket, "channel:join", { channelId: room });
    const seen = { ada: record(ada.socket, ["message:new"]), bert: record(bert.socket, ["message:new"]) };
    const cleoSeen = record(cleo.socket, ["message:new"]);

    const ack = await request(ada.socket, "message:send", { channelId: room, content: "hello room", clientMsgId: "m-1" });
    assert.equal(ack.success, true, JSON.stringify(ack));
    assert.equal(typeof ack.messageId, "string");
    assert.equal(ack.seq, 1);
    assert.equal(ack.message.content, "hello room");
    assert.equal(ack.message.author.username, "ada");
    await waitUntil(() => seen.ada["message:new"].length === 1 && seen.bert["message:new"].length === 1, "message:new");
    assert.deepEqual(seen.bert["message:new"][0], ack.message);

    // Idempotent: the same clientMsgId answers the first ack and broadcasts nothing.
    const repeat = await request(ada.socket, "message:send", { channelId: room, content: "hello room", clientMsgId: "m-1" });
    assert.deepEqual(repeat, ack);
    // A marker message proves the room is quiet apart from it.
    await request(ada.socket, "message:send", { channelId: room, content: "marker" });
    await waitUntil(() => seen.bert["message:new"].length === 2, "the marker");
    assert.equal(seen.bert["message:new"][1].content, "marker");
    assert.equal(cleoSeen["message:new"].length, 0);
  });

  test("message errors: ack and message:error with the code", async () => {
    const ada = await login("ada");
    const cleo = await login("cleo");
    const room = (await request(ada.socket, "channel:create", { name: "room-b" })).channel.id;
    const errors = record(cleo.socket, ["message:error"]);

    const forbidden = await request(cleo.socket, "message:send", { channelId: room, content: "let me in" });
    assert.equal(forbidden.error.code, "FORBIDDEN");
    const missing = await request(cleo.socket, "message:send", { channelId: "999999", content: "anyone?" });
    assert.equal(missing.error.code, "NOT_FOUND");
    const empty = await request(cleo.socket, "message:send", { channelId: room, content: "   " });
    assert.equal(empty.error.code, "INVALID_PAYLOAD");
    const tooLong = await request(ada.socket, "message:send", { channelId: room, content: "x".repeat(16001) });
    assert.equal(tooLong.error.code, "INVALID_PAYLOAD");
    await waitUntil(() => errors["message:error"].length === 3, "three message:error events");
    assert.deepEqual(
      errors["message:error"].map((error) => error.code),
      ["FORBIDDEN", "NOT_FOUND", "INVALID_PAYLOAD"],
    );
    assert.equal(errors["message:error"][0].channelId, room);
    assert.equal(cleo.socket.connected, true);
  });

  test("history pages oldest first with hasMore in both directions", async () => {
    const ada = await login("ada");
    const room = (await request(ada.socket, "channel:create", { name: "history" })).channel.id;
    for (let i = 1; i <= 7; ++i) {
      const ack = await request(ada.socket, "message:send", { channelId: room, content: `n${i}` });
      assert.equal(ack.seq, i);
    }
    const newest = await request(ada.socket, "message:history", { channelId: room, limit: 3 });
    assert.deepEqual(newest.messages.map((m) => m.content), ["n5", "n6", "n7"]);
    assert.equal(newest.hasMore, true);
    const older = await request(ada.socket, "message:history", { channelId: room, beforeSeq: 5, limit: 10 });
    assert.deepEqual(older.messages.map((m) => m.seq), [1, 2, 3, 4]);
    assert.equal(older.hasMore, false);
    const after = await request(ada.socket, "message:history", { channelId: room, afterSeq: 2, limit: 2 });
    assert.deepEqual(after.messages.map((m) => m.seq), [3, 4]);
    assert.equal(after.hasMore, true);
    const both = await request(ada.socket, "message:history", { channelId: room, afterSeq: 1, beforeSeq: 3 });
    assert.equal(both.error.code, "INVALID_PAYLOAD");
  });

  test("everything acked is still there after a restart", async () => {
    const ada = await login("ada");
    const room = (await request(ada.socket, "channel:create", { name: "durable" })).channel.id;
    const acks = [];
    for (let i = 0; i < 20; ++i) {
      acks.push(await request(ada.socket, "message:send", { channelId: room, content: `keep ${i}`, clientMsgId: `d-${i}` }));
    }
    const closing = once(ada.socket, "connection:closing");
    await server.stop();
    const [goodbye] = await within(5000, closing, "connection:closing");
    assert.equal(goodbye.code, "SERVER_SHUTDOWN");

    server = await startServer(BINARY, ["--data-dir", dataDir, "--auth-rate", "1000"]);
    const again = await login("ada");
    const channel = again.ready.channels.find((c) => c.id === room);
    assert.equal(channel.lastSeq, 20);
    const history = await request(again.socket, "message:history", { channelId: room, limit: 100 });
    assert.deepEqual(history.messages.map((m) => m.id), acks.map((a) => a.messageId));
    // A retry after the restart still answers the first ack.
    const retry = await request(again.socket, "message:send", { channelId: room, content: "keep 0", clientMsgId: "d-0" });
    assert.deepEqual(retry, acks[0]);
  });
});

describe("parley-server limits", () => {
  let dataDir;
  let server;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "parley-interop-"));
    server = await startServer(BINARY, ["--data-dir", dataDir, "--event-rate", "1", "--event-burst", "3"]);
  });
  after(async () => {
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test("a burst past the event rate gets RATE_LIMITED with retryAfterMs", async () => {
    const account = await authRequest(server.url, "auth:register", { username: "rapid", password: "rapid-secret-pw" });
    const { socket } = await connectReady(server.url, account.token);
    try {
      const acks = [];
      for (let i = 0; i < 5; ++i) acks.push(await request(socket, "channel:list", {}));
      const limited = acks.filter((ack) => !ack.success);
      assert.ok(limited.length >= 1, JSON.stringify(acks));
      assert.equal(limited[0].error.code, "RATE_LIMITED");
      assert.ok(limited[0].error.retryAfterMs > 0);
      assert.equal(socket.connected, true);
    } finally {
      socket.disconnect();
    }
  });
});
