#!/usr/bin/env python3
"""Writes the hand-made seed inputs of tests/fuzz/corpus/<target>/seed-*.

The targets read their inputs with FuzzedDataProvider, which takes integers
and booleans from the END of the input and strings from the front; the helpers
below lay the bytes out that way. Run it again after changing a seed; inputs the
fuzzer found (other names) are left alone.
"""
import base64, hashlib, hmac, json, os, struct

here = os.path.dirname(os.path.abspath(__file__))

def write(target, name, data):
    folder = os.path.join(here, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

def masked(opcode, payload, fin=True, key=b"\x11\x22\x33\x44", length=None):
    first = (0x80 if fin else 0) | opcode
    n = len(payload) if length is None else length
    if n < 126:
        head = bytes([first, 0x80 | n])
    elif n < 65536:
        head = bytes([first, 0x80 | 126]) + struct.pack(">H", n)
    else:
        head = bytes([first, 0x80 | 127]) + struct.pack(">Q", n)
    body = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return head + key + body

# websocketframes: <stream> <piece size byte> <2 bytes max message size>
def frames(stream, piece=7, limit=1024):
    return stream + bytes([piece]) + struct.pack("<H", limit)

write("fuzz_websocketframes", "text", frames(masked(1, b"42[\"message:send\",{}]")))
write("fuzz_websocketframes", "fragments", frames(masked(1, "h\u00e9".encode(), fin=False)
      + masked(9, b"ping") + masked(0, b"llo", fin=True)))
write("fuzz_websocketframes", "binary16", frames(masked(2, bytes(300)), piece=60, limit=4000))
write("fuzz_websocketframes", "close", frames(masked(8, struct.pack(">H", 1000) + b"bye")))
write("fuzz_websocketframes", "close-badcode", frames(masked(8, struct.pack(">H", 1005))))
write("fuzz_websocketframes", "huge-length", frames(masked(2, b"", length=1 << 62)))
write("fuzz_websocketframes", "unmasked", frames(b"\x81\x05hello"))
write("fuzz_websocketframes", "bad-utf8", frames(masked(1, b"\xc3\x28\xed\xa0\x80")))
write("fuzz_websocketframes", "split-utf8", frames(masked(1, b"\xe2\x82", fin=False) + masked(0, b"\xac")))
write("fuzz_websocketframes", "pong-reserved", frames(masked(10, b"") + bytes([0xc1, 0x80]) + b"\0\0\0\0"))

def request(target="/socket.io/?EIO=4&transport=websocket", extra="", method="GET"):
    return (f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\n"
            f"Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            f"Sec-WebSocket-Version: 13\r\n{extra}\r\n")

write("fuzz_httphead", "upgrade", request())
write("fuzz_httphead", "healthz", "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
write("fuzz_httphead", "origin", request(extra="Origin: https://evil.example\r\n"))
write("fuzz_httphead", "sid", request("/socket.io/?EIO=4&transport=websocket&sid=abc"))
write("fuzz_httphead", "percent", request("/socket%2Eio/?EIO=%34&transport=websocket&x=%ff%00"))
write("fuzz_httphead", "post", request(method="POST"))
write("fuzz_httphead", "repeated", request(extra="Sec-WebSocket-Key: second\r\nX:\r\n :folded\r\n"))
write("fuzz_httphead", "bare-lf", "GET / HTTP/1.0\nUpgrade: websocket\n\n")

for name, text in [("open", '0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}'),
                   ("ping", "2"), ("pong-probe", "3probe"), ("message", '42["x",1]'), ("noop", "6"),
                   ("open-escapes", '0{"sid":"\\ud800\\u0000","pingInterval":1e3,"pingTimeout":2147483647,"maxPayload":9007199254740993}'),
                   ("bad-type", "9"), ("open-array", '0[]')]:
    write("fuzz_engineio", name, text.encode())
write("fuzz_engineio", "open-only", b'{"sid":"s","upgrades":["websocket"],"pingInterval":1,"pingTimeout":1,"maxPayload":1}')

# socketio: frames separated by "\\x" (end of a random-length string), with one
# bool byte per frame taken from the end (odd: binary).
def sio(*frames):
    front = b"".join(f.replace(b"\\", b"\\\\") + b"\\x" for f, _ in frames)
    back = bytes(1 if binary else 0 for _, binary in reversed(frames))
    return front + back

write("fuzz_socketio", "event", sio((b'2["message:send",{"channelId":"1","content":"hi"}]', False)))
write("fuzz_socketio", "event-ack-nsp", sio((b'2/auth,17["auth:login",{"username":"a","password":"b"}]', False)))
write("fuzz_socketio", "connect", sio((b'0{"token":"abc"}', False), (b"0/auth,", False)))
write("fuzz_socketio", "ack", sio((b'3/auth,2147483647[{"success":true}]', False)))
write("fuzz_socketio", "binary", sio((b'51-["upload",{"_placeholder":true,"num":0}]', False), (b"\x00\xff", True)))
write("fuzz_socketio", "binary-ack", sio((b'62-/x,9[{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]', False),
                                         (b"a", True), (b"b", True)))
write("fuzz_socketio", "too-many", sio((b'511-["e"]', False)))
write("fuzz_socketio", "big-ack-id", sio((b'212345678901["e"]', False), (b'2-1["e"]', False)))
write("fuzz_socketio", "disconnect-error", sio((b"1", False), (b'4{"message":"no"}', False), (b'4"text"', False)))
write("fuzz_socketio", "deep", sio((b"2[" * 200 + b'"e"' + b"]" * 200, False)))

def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")

key = b"fuzzing-key-0123456789abcdefghijklmnopqrstuvwxyz-0123456789ABCDEF"
claims = {"sub": "7", "iss": "parley", "aud": "parley-chat", "iat": 1799999000, "exp": 1800003600, "ver": 1}
def hs256(header, payload):
    signing = b64(json.dumps(header).encode()) + b"." + b64(json.dumps(payload).encode())
    return signing + b"." + b64(hmac.new(key, signing, hashlib.sha256).digest())

write("fuzz_jwt", "valid", hs256({"alg": "HS256", "typ": "JWT"}, claims) + b"\x00")
write("fuzz_jwt", "none", b64(b'{"alg":"none"}') + b"." + b64(json.dumps(claims).encode()) + b".\x00")
write("fuzz_jwt", "expired", hs256({"alg": "HS256"}, dict(claims, exp=1700000000)) + b"\x00")
write("fuzz_jwt", "crit", hs256({"alg": "HS256", "crit": ["b64"]}, claims) + b"\x00")
def signed_mode(header, payload, mode):
    front = header.replace(b"\\", b"\\\\") + b"\\x" + payload
    return front + bytes([mode])
write("fuzz_jwt", "signed", signed_mode(b'{"alg":"HS256"}', json.dumps(claims).encode(), 1))
write("fuzz_jwt", "signed-aud-array", signed_mode(b'{"alg":"HS256"}',
      json.dumps(dict(claims, aud=["x", "parley-chat"], nbf=1800000100)).encode(), 1))
write("fuzz_jwt", "claims", json.dumps(dict(claims, exp=1.5e300, ver=2**40, name=None)).encode() + b"\x02")
write("fuzz_jwt", "claims-numbers", b'{"sub":"1","exp":-9223372036854775809,"nbf":1e19,"iat":"x"}\x02')
write("fuzz_jwt", "base64", b"eyJhbGciOiJIUzI1NiJ9.e30.AAB-_w" + b"\x03")
write("fuzz_jwt", "base64-noncanonical", b"eyJhbGciOiJIUzI1NiJ9.e31.AAB-_x" + b"\x03")

idp = {"sub": "ext-1", "iss": "https://idp.example", "aud": "parley", "exp": 1800003600,
       "preferred_username": "alice", "name": "Alice"}
write("fuzz_publickeyjwt", "rs256-shape", hs256({"alg": "RS256", "kid": "key-1"}, idp) + b"\x00")
write("fuzz_publickeyjwt", "es256-shape", hs256({"alg": "ES256", "kid": "key-1"}, idp) + b"\x01")
write("fuzz_publickeyjwt", "rs256-signed", signed_mode(b'{"alg":"RS256","kid":"key-1"}', json.dumps(idp).encode(), 2))
write("fuzz_publickeyjwt", "es256-signed", signed_mode(b'{"alg":"ES256"}', json.dumps(idp).encode(), 3))
write("fuzz_publickeyjwt", "es256-wrong-kid", signed_mode(b'{"alg":"ES256","kid":7}', json.dumps(idp).encode(), 3))
write("fuzz_publickeyjwt", "es256-signature", bytes(range(64)) + b"\x04")
write("fuzz_publickeyjwt", "pem", b"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEAAAA\n-----END PUBLIC KEY-----\n\x05")

for name, payload in [
        ("create", {"name": "general", "topic": "Talk", "isPrivate": True}),
        ("create-args", ["ignored", {"name": " \u2028x ", "topic": None}]),
        ("invite", {"channelId": 7, "username": " Bob "}),
        ("members", {"channelId": "7", "afterUsername": "m", "limit": 200}),
        ("members-big-limit", {"channelId": 7.5, "limit": 1e300}),
        ("send", {"channelId": "1", "content": "hello", "clientMsgId": "c-1"}),
        ("send-space", {"channelId": "1", "content": "\u3000\t", "clientMsgId": "\u00e9"}),
        ("history", {"channelId": "1", "beforeSeq": 10, "limit": 50}),
        ("history-both", {"channelId": "1", "beforeSeq": 9007199254740993, "afterSeq": 0}),
        ("username", {"username": "Alice_01", "password": "secret-password", "displayName": "A"}),
        ("user", {"id": "1", "username": "alice", "displayName": "Alice"}),
        ("channel", {"id": 3, "name": "general", "topic": "", "isPrivate": False, "memberCount": 2, "lastSeq": 9}),
        ("message", {"id": "5", "channelId": "3", "seq": 1, "userId": "1",
                     "author": {"id": "1", "username": "alice", "displayName": "Alice"},
                     "content": "hi", "createdAt": "2026-11-26T17:30:00.123Z", "clientMsgId": None}),
        ("message-odd-time", {"id": "5", "channelId": "3", "seq": 1, "userId": "1",
                     "author": {"id": "1", "username": "alice", "displayName": "Alice"},
                     "content": "hi", "createdAt": "9999-12-31T23:59:60.999+14:00", "clientMsgId": "x"}),
]:
    write("fuzz_payloads", name, json.dumps(payload).encode())
