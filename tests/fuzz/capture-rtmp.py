#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Makes the RTMP fuzz seeds from real encoder sessions.

    capture-rtmp.py relay LISTEN_PORT SERVER_PORT OUT.raw
        Relays one connection from an encoder (ffmpeg, rtmp2sink) on
        127.0.0.1:LISTEN_PORT to a running `slotcast serve` on SERVER_PORT
        and writes what the encoder sent to OUT.raw.
    capture-rtmp.py seeds OUT.raw NAME
        Writes corpus/rtmp-chunk/NAME (a feed-step byte, then the bytes after
        the handshake, at most 16 KiB) and corpus/amf0/NAME-N (the body of
        each command and data message in them).
"""
import os
import socket
import struct
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
HANDSHAKE = 1 + 1536 + 1536
SEED_BYTES = 16 * 1024


def relay(listen_port, server_port, out):
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", listen_port))
    listener.listen(1)
    client, _ = listener.accept()
    server = socket.create_connection(("127.0.0.1", server_port))
    sent = bytearray()

    def pump(src, dst, keep):
        while True:
            data = src.recv(65536)
            if not data:
                break
            if keep is not None:
                keep.extend(data)
            dst.sendall(data)
        dst.shutdown(socket.SHUT_WR)

    back = threading.Thread(target=pump, args=(server, client, None))
    back.start()
    try:
        pump(client, server, sent)
    except OSError:
        pass
    back.join(timeout=5)
    with open(out, "wb") as f:
        f.write(sent)


def messages(data):
    """(type, body) of every whole message in a client's chunk stream."""
    chunk, streams, pos = 128, {}, 0
    while pos < len(data):
        fmt, csid = data[pos] >> 6, data[pos] & 0x3F
        pos += 1
        if csid < 2:
            csid = 64 + data[pos] + (256 * data[pos + 1] if csid else 0)
            pos += 2 if csid else 1
        s = streams.setdefault(csid, {"len": 0, "type": 0, "body": b""})
        if fmt <= 1:
            s["len"] = int.from_bytes(data[pos + 3:pos + 6], "big")
            s["type"] = data[pos + 6]
        pos += (11, 7, 3, 0)[fmt]
        take = min(chunk, s["len"] - len(s["body"]))
        if pos + take > len(data):
            return
        s["body"] += data[pos:pos + take]
        pos += take
        if len(s["body"]) == s["len"]:
            if s["type"] == 1:
                chunk = struct.unpack(">I", s["body"][:4])[0]
            yield s["type"], s["body"]
            s["body"] = b""


def seeds(raw, name):
    data = open(raw, "rb").read()[HANDSHAKE:]
    with open(os.path.join(HERE, "corpus", "rtmp-chunk", name), "wb") as f:
        f.write(bytes([97]) + data[:SEED_BYTES])
    n = 0
    for kind, body in messages(data):
        if kind in (18, 20):
            n += 1
            path = os.path.join(HERE, "corpus", "amf0", "%s-%d" % (name, n))
            with open(path, "wb") as f:
                f.write(body)


if __name__ == "__main__":
    if sys.argv[1] == "relay":
        relay(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        seeds(sys.argv[2], sys.argv[3])
