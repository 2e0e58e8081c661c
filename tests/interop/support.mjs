// Shared helpers for the interop tests: start a Parley executable on a free port and
// talk to it with raw WebSocket frames. socket.io-client itself is imported by the tests.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

// Without this, a missing install shows up as an obscure module-resolution error.
if (!existsSync(new URL("./node_modules/socket.io-client/package.json", import.meta.url))) {
  console.error("tests/interop: node_modules is missing — run npm ci in tests/interop");
  process.exit(1);
}

const { default: WebSocket } = await import("ws");

// The server transport every started executable uses (its --websocket option): ctest
// runs each interop file once per transport, with PARLEY_WEBSOCKET set to native or qt.
export const webSocketTransport = process.env.PARLEY_WEBSOCKET || "native";

// Starts `binary --listen 127.0.0.1:0 --websocket <transport> ...args` and resolves once
// it prints "listening on HOST:PORT". stop() ends it.
export async function startServer(binary, args = []) {
  if (!binary) {
    throw new Error("the path of the executable is not set (PARLEY_CONFORMANCE_BIN)");
  }
  const listenArgs = ["--listen", "127.0.0.1:0", "--websocket", webSocketTransport];
  const child = spawn(binary, [...listenArgs, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, QT_LOGGING_RULES: "parley.*.info=false;parley.*.debug=false" },
  });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const port = await new Promise((resolve, reject) => {
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const match = stdout.match(/listening on [^\s]+:(\d+)/);
      if (match) resolve(Number(match[1]));
    });
    child.on("error", reject);
    child.on("exit", (code, signal) =>
      reject(new Error(`${binary} exited early (${code ?? signal}): ${stderr}`)),
    );
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

// A raw WebSocket to the Engine.IO endpoint that queues every frame from the start, so
// frames that arrive together are never lost between two awaits.
export function openRawSocket(port, path = "/socket.io/") {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}?EIO=4&transport=websocket`);
  const queued = [];
  const waiters = [];
  ws.on("message", (data, isBinary) => {
    const frame = isBinary ? Buffer.from(data) : data.toString();
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else queued.push(frame);
  });
  ws.on("error", () => {}); // a refused or reset socket reports through `closed`
  const opened = new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("unexpected-response", (req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  const closed = new Promise((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const next = () =>
    queued.length > 0 ? Promise.resolve(queued.shift()) : new Promise((resolve) => waiters.push(resolve));
  return {
    ws,
    opened,
    closed,
    next,
    // The next frame that is not an Engine.IO ping (which it answers, as a client must).
    async nextNonPing() {
      for (;;) {
        const frame = await next();
        if (frame === "2") {
          ws.send("3");
          continue;
        }
        return frame;
      }
    },
    send: (data) => ws.send(data),
  };
}

// Rejects after ms, naming what did not happen in time.
export function within(ms, promise, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}
