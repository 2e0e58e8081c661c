// A small Node socket.io v4 server implementing the core of the Parley contract
// (docs/protocol.md): /auth log-in and registration, CONNECT with {token},
// connection:ready, message:send (ack + message:new, idempotent clientMsgId) and
// message:history. The desktop client's interop test drives its session against
// it, so the client is checked against the reference Socket.IO stack, not only
// against Parley's own server. Prints "listening on 127.0.0.1:PORT" once ready.
//
// Usage: node contract-server.mjs [--port N]
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { Server } from "socket.io";

const portArg = process.argv.indexOf("--port");
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 0;

// The seed: two accounts and one channel both are members of.
const users = new Map(); // username -> { user, password }
const tokens = new Map(); // token -> user id
const channels = new Map(); // id -> { channel, members:Set, messages:[] }
let nextUserId = 1;

function addUser(username, password, displayName) {
  const user = { id: String(nextUserId++), username, displayName: displayName || username };
  users.set(username, { user, password });
  return user;
}
const alice = addUser("alice", "alice-password", "Alice");
const bob = addUser("bob", "bob-password", "Bob");
channels.set("1", {
  channel: { id: "1", name: "general", topic: "", isPrivate: false },
  members: new Set([alice.id, bob.id]),
  messages: [],
});

function channelJson(entry) {
  return { ...entry.channel, memberCount: entry.members.size, lastSeq: entry.messages.length };
}
function userById(id) {
  for (const { user } of users.values()) if (user.id === id) return user;
  return undefined;
}
function failure(code, message, extra = {}) {
  return { success: false, error: { code, message, ...extra } };
}
function grant(user) {
  const token = `opaque-${randomUUID()}`;
  tokens.set(token, user.id);
  const expiresAt = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();
  return { success: true, token, user, expiresAt };
}
const reply = (ack, body) => (typeof ack === "function" ? ack(body) : undefined);

const http = createServer((req, res) => {
  res.writeHead(400, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: "WebSocket only" }));
});
const io = new Server(http, { transports: ["websocket"], serveClient: false });

io.of("/auth").on("connection", (socket) => {
  socket.on("auth:login", (payload, ack) => {
    const account = users.get(String(payload?.username ?? "").toLowerCase());
    if (!account || account.password !== payload?.password)
      return reply(ack, failure("INVALID_CREDENTIALS", "Wrong username or password"));
    reply(ack, grant(account.user));
  });
  socket.on("auth:register", (payload, ack) => {
    const username = String(payload?.username ?? "").toLowerCase();
    if (!/^[a-z0-9_.-]{2,32}$/.test(username) || String(payload?.password ?? "").length < 8)
      return reply(ack, failure("INVALID_PAYLOAD", "Username or password not acceptable"));
    if (users.has(username)) return reply(ack, failure("USERNAME_TAKEN", "That username is taken"));
    reply(ack, grant(addUser(username, payload.password, payload.displayName)));
  });
});

io.of("/").use((socket, next) => {
  const token = socket.handshake.auth?.token;
  const userId = token ? tokens.get(token) : undefined;
  if (userId) {
    socket.data.user = userById(userId);
    return next();
  }
  const error = new Error("unauthorized");
  error.data = { code: token ? "AUTH_INVALID" : "AUTH_MISSING" };
  next(error);
});

io.of("/").on("connection", (socket) => {
  const me = socket.data.user;
  socket.join(`user:${me.id}`);
  const mine = [];
  for (const entry of channels.values()) {
    if (!entry.members.has(me.id)) continue;
    socket.join(`channel:${entry.channel.id}`);
    mine.push(channelJson(entry));
  }
  socket.emit("connection:ready", {
    user: me,
    channels: mine,
    sessionId: socket.id,
    serverTime: new Date().toISOString(),
  });

  socket.on("message:send", (payload, ack) => {
    const content = payload?.content;
    const clientMsgId = payload?.clientMsgId ?? null;
    if (typeof content !== "string" || content.trim() === "" || content.length > 16000)
      return reply(ack, failure("INVALID_PAYLOAD", "content must be 1 to 16000 characters"));
    const entry = channels.get(String(payload?.channelId));
    if (clientMsgId !== null && entry) {
      const first = entry.messages.find((m) => m.userId === me.id && m.clientMsgId === clientMsgId);
      if (first) return reply(ack, { success: true, messageId: first.id, seq: first.seq, message: first });
    }
    if (!entry) return reply(ack, failure("NOT_FOUND", "No such channel"));
    if (!entry.members.has(me.id)) return reply(ack, failure("FORBIDDEN", "Not a member"));
    const message = {
      id: randomUUID(),
      channelId: entry.channel.id,
      seq: entry.messages.length + 1,
      userId: me.id,
      author: me,
      content,
      createdAt: new Date().toISOString(),
      clientMsgId,
    };
    entry.messages.push(message);
    reply(ack, { success: true, messageId: message.id, seq: message.seq, message });
    io.to(`channel:${entry.channel.id}`).emit("message:new", message);
  });

  socket.on("message:history", (payload, ack) => {
    const entry = channels.get(String(payload?.channelId));
    if (!entry) return reply(ack, failure("NOT_FOUND", "No such channel"));
    if (!entry.members.has(me.id)) return reply(ack, failure("FORBIDDEN", "Not a member"));
    if (payload.beforeSeq !== undefined && payload.afterSeq !== undefined)
      return reply(ack, failure("INVALID_PAYLOAD", "beforeSeq and afterSeq together"));
    const limit = Math.min(Math.max(Number(payload.limit ?? 50), 1), 100);
    const all = entry.messages;
    let page;
    let hasMore;
    if (payload.afterSeq !== undefined) {
      page = all.filter((m) => m.seq > payload.afterSeq).slice(0, limit);
      hasMore = page.length > 0 && page[page.length - 1].seq < all.length;
    } else {
      const before = payload.beforeSeq !== undefined ? all.filter((m) => m.seq < payload.beforeSeq) : all;
      page = before.slice(-limit);
      hasMore = page.length > 0 && page[0].seq > 1;
    }
    reply(ack, { success: true, messages: page, hasMore });
  });
});

http.listen(port, "127.0.0.1", () => {
  console.log(`listening on 127.0.0.1:${http.address().port}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => io.close(() => process.exit(0)));
