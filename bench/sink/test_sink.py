#!/usr/bin/env python3
"""Protocol check for rmq-sink (no dependencies beyond the Python stdlib).

Usage: test_sink.py [PATH_TO_rmq-sink]   (default: bench/target/release/rmq-sink)

Starts the sink on an ephemeral port, then:
  * replays every request frame recorded from the original librocketmq 2.2.0
    (shared/reference/wire-samples/cpp-2.2.0-producer-requests.jsonl) pipelined
    on one connection and checks one response per non-oneway request, in order,
    with matching opaque, flag 1, and the send/route fields;
  * checks a ROCKETMQ binary header request, SEND_MESSAGE (10) with an ext
    "flag" field, SEND_BATCH_MESSAGE (320) with 3 records, a oneway request,
    byte-by-byte (fragmented) delivery, a frame larger than the read buffer,
    and that a bad frame closes the connection;
  * SIGTERM stops it and it prints its statistics.
"""
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SAMPLES = "/work/shared/reference/wire-samples/cpp-2.2.0-producer-requests.jsonl"


def frame_json(header: dict, body: bytes = b"") -> bytes:
    h = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack(">ii", 4 + len(h) + len(body), len(h)) + h + body


def frame_binary(code, opaque, flag, ext: dict, body=b"") -> bytes:
    e = b""
    for k, v in ext.items():
        k, v = k.encode(), v.encode()
        e += struct.pack(">h", len(k)) + k + struct.pack(">i", len(v)) + v
    h = struct.pack(">hbhii", code, 1, 333, opaque, flag) + struct.pack(">i", 0) + struct.pack(">i", len(e)) + e
    return struct.pack(">ii", 4 + len(h) + len(body), (1 << 24) | len(h)) + h + body


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        c = s.recv(n - len(buf))
        if not c:
            raise EOFError("connection closed after %d/%d bytes" % (len(buf), n))
        buf += c
    return buf


def read_frame(s):
    (total,) = struct.unpack(">i", recv_exact(s, 4))
    rest = recv_exact(s, total)
    (sh,) = struct.unpack(">i", rest[:4])
    ser, hl = sh >> 24, sh & 0xFFFFFF
    hdr, body = rest[4:4 + hl], rest[4 + hl:]
    if ser == 0:
        return json.loads(hdr), body
    code, lang, ver, opaque, flag, rl = struct.unpack(">hbhiii", hdr[:17])
    pos = 17 + rl
    (el,) = struct.unpack(">i", hdr[pos:pos + 4])
    pos += 4
    ext, end = {}, pos + el
    while pos < end:
        (kl,) = struct.unpack(">h", hdr[pos:pos + 2]); pos += 2
        k = hdr[pos:pos + kl].decode(); pos += kl
        (vl,) = struct.unpack(">i", hdr[pos:pos + 4]); pos += 4
        ext[k] = hdr[pos:pos + vl].decode(); pos += vl
    return {"code": code, "language": lang, "version": ver, "opaque": opaque, "flag": flag,
            "extFields": ext, "ser": 1}, body


def check_send_resp(h, port, queue):
    ext = h["extFields"]
    mid = ext["msgId"]
    assert len(mid) == 32 and mid.startswith("7F000001%08X" % port), mid
    assert int(ext["queueId"]) == queue, (ext, queue)
    int(ext["queueOffset"])
    assert ext["MSG_REGION"] == "DefaultRegion" and ext["TRACE_ON"] == "true", ext


def main():
    sink = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "bench/target/release/rmq-sink")
    p = subprocess.Popen([sink, "--port", "0", "--max-seconds", "60"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline().strip()
    assert line.startswith("rmq-sink listening on 127.0.0.1:"), line
    port = int(line.rsplit(":", 1)[1])
    print("started:", line)
    try:
        # 1. replay the captured 2.2.0 frames, pipelined.
        frames = [json.loads(l) for l in open(SAMPLES)]
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(b"".join(bytes.fromhex(f["frame_hex"]) for f in frames))
        expect = [f for f in frames if not (f["header"]["flag"] & 2)]
        for f in expect:
            h, body = read_frame(s)
            rq = f["header"]
            assert h["opaque"] == rq["opaque"] and h["flag"] == 1 and h["code"] == 0, (h, rq)
            assert h["language"] == "JAVA" and h["version"] == 409 and h["remark"] is None, h
            if rq["code"] == 105:
                route = json.loads(body)
                assert route["brokerDatas"][0]["brokerAddrs"]["0"] == "127.0.0.1:%d" % port, route
                assert route["queueDatas"][0]["writeQueueNums"] == 8, route
            elif rq["code"] == 310:
                if rq["extFields"]["m"] == "1":
                    ids = h["extFields"]["msgId"].split(",")
                    assert len(ids) == 3, ids  # the captured batch holds three messages
                    h["extFields"]["msgId"] = ids[0]
                check_send_resp(h, port, int(rq["extFields"]["e"]))
            else:
                assert body == b"" and "extFields" not in h, (h, body)
        print("replayed %d captured frames (%d oneway), %d responses OK" %
              (len(frames), len(frames) - len(expect), len(expect)))

        # 2. SEND_MESSAGE (10): ext "flag" must not be taken for the top-level flag.
        s.sendall(frame_json({"code": 10, "extFields": {"flag": "2", "queueId": "5", "topic": "T"},
                              "flag": 0, "language": "CPP", "opaque": 1000, "remark": "", "version": 333},
                             b"x" * 10))
        h, _ = read_frame(s)
        assert h["opaque"] == 1000
        check_send_resp(h, port, 5)
        off1 = int(h["extFields"]["queueOffset"])
        s.sendall(frame_json({"code": 10, "extFields": {"queueId": "5"}, "flag": 0, "opaque": 1001}, b"y"))
        h, _ = read_frame(s)
        assert int(h["extFields"]["queueOffset"]) == off1 + 1, h
        print("SEND_MESSAGE (10) + per-queue offsets OK")

        # 3. oneway (flag 2) gets no response; the next request still does.
        s.sendall(frame_json({"code": 310, "extFields": {"e": 1}, "flag": 2, "opaque": 1002}, b"z") +
                  frame_json({"code": 34, "flag": 0, "opaque": 1003}, b"{}"))
        h, _ = read_frame(s)
        assert h["opaque"] == 1003, h
        print("oneway OK")

        # 4. SEND_BATCH_MESSAGE (320) with three records.
        recs = b"".join(struct.pack(">i", n) + b"\0" * (n - 4) for n in (30, 40, 50))
        s.sendall(frame_json({"code": 320, "extFields": {"e": 2, "m": "true"}, "flag": 0, "opaque": 1004}, recs))
        h, _ = read_frame(s)
        ids = h["extFields"]["msgId"].split(",")
        assert len(ids) == 3 and all(len(i) == 32 for i in ids), h
        print("batch 320 OK")

        # 5. ROCKETMQ binary header, answered in binary.
        s.sendall(frame_binary(310, 1005, 0, {"a": "g", "e": "6"}, b"b" * 100))
        h, _ = read_frame(s)
        assert h.get("ser") == 1 and h["opaque"] == 1005 and h["flag"] == 1 and h["version"] == 409, h
        check_send_resp(h, port, 6)
        s.sendall(frame_binary(105, 1006, 0, {"topic": "X"}))
        h, body = read_frame(s)
        assert h["opaque"] == 1006 and json.loads(body)["brokerDatas"], h
        print("binary header OK")

        # 6. fragmented delivery, one byte at a time.
        f = frame_json({"code": 310, "extFields": {"e": 7}, "flag": 0, "opaque": 1007}, b"q" * 50)
        for i in range(len(f)):
            s.send(f[i:i + 1])
        h, _ = read_frame(s)
        assert h["opaque"] == 1007, h
        # 7. frame bigger than the 256 KiB read buffer (4 MiB body).
        s.sendall(frame_json({"code": 310, "extFields": {"e": 0}, "flag": 0, "opaque": 1008}, b"L" * (4 << 20)))
        h, _ = read_frame(s)
        assert h["opaque"] == 1008, h
        print("fragmented + 4 MiB frame OK")
        s.close()

        # 8. bad frame closes the connection.
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(struct.pack(">ii", 8, 4) + b"nope")
        s.settimeout(5)
        try:
            read_frame(s)
            raise AssertionError("expected close")
        except EOFError:
            pass
        s.close()
        print("bad header closes connection OK")
    finally:
        p.send_signal(signal.SIGTERM)
        try:
            _, err = p.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            raise
        print("sink stderr:", err.strip())
    assert p.returncode == 0, p.returncode
    print("ALL OK")


if __name__ == "__main__":
    main()
