#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets, fuzz/corpus/<target>/, from real frames and from
what a broker or name server answers, encoded here independently of the crate.

Sources: the request frames rocketmq-client-cpp 2.2.0 sent (tests/vectors/*.jsonl, captured from
the original library); responses built by hand after the Java broker's encoders (RemotingCommand
JSON and ROCKETMQ headers, MessageDecoder's stored layout, RouteData and ConsumerList JSON).
Compressed bodies use zlib (Python) and the `lz4` and `zstd` command-line tools when present.

Run from anywhere: python3 fuzz/make_seeds.py   (rewrites the corpus directories it owns)
"""
import json
import pathlib
import shutil
import struct
import subprocess
import zlib

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
CORPUS = FUZZ / "corpus"

MAGIC_V1 = 0xDAA320A7
MAGIC_V2 = 0xDAA320AB
COMPRESSED, BORNHOST_V6, STOREHOST_V6 = 0x1, 0x10, 0x20
LZ4, ZSTD = 0x100, 0x200


def props(**kv):
    return "".join(f"{k}\x01{v}\x02" for k, v in kv.items()).encode()


def json_frame_body(header, body=b""):
    """A frame without its length prefix: serialize type 0 (JSON) + header length, header, body."""
    h = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack(">I", len(h)) + h + body


def binary_frame_body(code, opaque, flag, remark, fields, body=b""):
    """The ROCKETMQ (binary) header: code i16, language u8, version i16, opaque, flag, remark, ext."""
    r = remark.encode()
    h = struct.pack(">hBhii", code, 0, 409, opaque, flag) + struct.pack(">i", len(r)) + r
    ext = b""
    for k, v in fields.items():
        kb, vb = k.encode(), v.encode()
        ext += struct.pack(">h", len(kb)) + kb + struct.pack(">i", len(vb)) + vb
    h += struct.pack(">i", len(ext)) + ext
    return struct.pack(">I", (1 << 24) | len(h)) + h + body


def prefixed(frame_body):
    return struct.pack(">I", len(frame_body)) + frame_body


def stored(topic, body, properties, sys_flag=0, magic=MAGIC_V1, queue_offset=42):
    """One stored message as a broker returns it in a pull (MessageDecoder layout)."""
    v6_born, v6_store = sys_flag & BORNHOST_V6, sys_flag & STOREHOST_V6
    out = struct.pack(">iIiiiqqiq", 0, magic, 7, 3, 0, queue_offset, 1000 + queue_offset, sys_flag, 1_700_000_000_000)
    out += (b"\0" * 15 + b"\1") if v6_born else bytes([127, 0, 0, 1])
    out += struct.pack(">iq", 5555, 1_700_000_000_001)
    out += (b"\0" * 15 + b"\1") if v6_store else bytes([10, 0, 0, 2])
    out += struct.pack(">iiq", 10911, 0, 0)
    out += struct.pack(">i", len(body)) + body
    t = topic.encode()
    out += (struct.pack(">h", len(t)) if magic == MAGIC_V2 else bytes([len(t)])) + t
    out += struct.pack(">h", len(properties)) + properties
    return struct.pack(">i", len(out)) + out[4:]


def tool_compress(cmd, data):
    """`lz4`/`zstd` from stdin to stdout, or None when the tool is missing."""
    if shutil.which(cmd[0]) is None:
        return None
    return subprocess.run(cmd, input=data, stdout=subprocess.PIPE, check=True).stdout


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def vectors():
    for f in sorted((ROOT / "tests" / "vectors").glob("*.jsonl")):
        for line in f.read_text().splitlines():
            yield json.loads(line)


def main():
    for t in CORPUS.glob("*"):
        shutil.rmtree(t)

    # Requests the original library sent: one of each request code, whole frames.
    seen = set()
    requests = []
    for v in vectors():
        code = v["header"]["code"]
        if code in seen:
            continue
        seen.add(code)
        requests.append((code, bytes.fromhex(v["frame_hex"])))

    body = b"hello \xc3\xbc world " * 20
    zbody = zlib.compress(body * 40, 6)
    lz4body = tool_compress(["lz4", "-q", "-c"], body * 40)
    zstdbody = tool_compress(["zstd", "-q", "-c"], body * 40)
    p = props(KEYS="k1 k2", TAGS="TagA", UNIQ_KEY="7F00000128DB3FDC55F48B13F8800000", WAIT="true")
    messages = {
        "v1": stored("WireTopic", body, p),
        "v2_magic": stored("WireTopic", b"x", props(TAGS="TagB"), magic=MAGIC_V2),
        "ipv6_hosts": stored("T", b"six", b"", BORNHOST_V6 | STOREHOST_V6),
        "zlib_body": stored("T", zbody, p, COMPRESSED),
        "other_tag": stored("T", b"filtered out", props(TAGS="TagC")),
    }
    if lz4body:
        messages["lz4_body"] = stored("T", lz4body, p, COMPRESSED | LZ4)
    if zstdbody:
        messages["zstd_body"] = stored("T", zstdbody, p, COMPRESSED | ZSTD)
    pull_body = messages["v1"] + messages["v2_magic"] + messages["zlib_body"] + messages["other_tag"]

    # frames: whole frames on a stream, the first byte the read size less one
    for code, frame in requests[:4]:
        write("frames", f"request_{code}", bytes([255]) + frame)
    write("frames", "two_requests_7_byte_reads", bytes([6]) + requests[0][1] + requests[1][1])
    send_ok = json_frame_body({"code": 0, "flag": 1, "opaque": 5, "extFields": {"msgId": "0A00000200002A9F0000000000000400", "queueId": "3", "queueOffset": "12"}})
    write("frames", "send_response", bytes([31]) + prefixed(send_ok))
    write("frames", "binary_pull_response", bytes([99]) + prefixed(binary_frame_body(0, 9, 1, "", {"nextBeginOffset": "44"}, pull_body)))

    # command: frames without their prefix
    for code, frame in requests:
        write("command", f"request_{code}", frame[4:])
    write("command", "send_response", send_ok)
    write("command", "binary_send_response", binary_frame_body(0, 5, 1, "", {"msgId": "0A00000200002A9F0000000000000400", "queueId": "1"}))
    write("command", "acl_refusal", json_frame_body({"code": 1, "flag": 1, "opaque": 2, "remark": "org.apache.rocketmq.acl.common.AclException: Check signature failed for accessKey=AK, org.apache.rocketmq.acl.plain.PlainPermissionManager.validate(PlainPermissionManager.java:683)"}))
    write("command", "numbers_and_nulls", json_frame_body({"code": 0, "extFields": {"d": 4, "f": 1.5, "t": True, "n": None}, "remark": None}))

    # stored_messages: single messages and a whole pull body
    for name, m in messages.items():
        write("stored_messages", name, m)
    write("stored_messages", "pull_body", pull_body)

    # compressed_body: type byte + compressed bytes
    write("compressed_body", "zlib", b"\x00" + zbody)
    write("compressed_body", "zlib_type3", b"\x03" + zlib.compress(b"abc" * 100))
    if lz4body:
        write("compressed_body", "lz4", b"\x01" + lz4body)
    if zstdbody:
        write("compressed_body", "zstd", b"\x02" + zstdbody)

    # properties
    write("properties", "send", p)
    write("properties", "no_trailing_separator", b"A\x011\x02B\x012")
    write("properties", "non_ascii", props(uni="\u00fcn\u00efc\u00f6d\u00e9", KEYS="a b", WAIT="true"))
    write("properties", "empty_and_separators", b"\x01\x02\x02=\x01\x01x\x02")

    # route: the JSON style of 4.x/5.x name servers, and fastjson's bare integer keys
    route = {"brokerDatas": [{"brokerAddrs": {"0": "127.0.0.1:10911", "1": "127.0.0.1:10921"}, "brokerName": "broker-a", "cluster": "DefaultCluster"},
                             {"brokerAddrs": {"0": "127.0.0.1:10912"}, "brokerName": "broker-b", "cluster": "DefaultCluster"}],
             "filterServerTable": {},
             "queueDatas": [{"brokerName": "broker-a", "perm": 6, "readQueueNums": 8, "topicSysFlag": 0, "writeQueueNums": 4},
                            {"brokerName": "broker-b", "perm": 2, "readQueueNums": 4, "topicSysFlag": 0, "writeQueueNums": 4}]}
    write("route", "json", json.dumps(route).encode())
    write("route", "fastjson_bare_keys", b'{"brokerDatas":[{"brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:10921"},"brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":8,"topicSysFlag":0,"writeQueueNums":4}]}')

    # consumer_list
    write("consumer_list", "two", b'{"consumerIdList":["127.0.0.1@1234#DEFAULT","127.0.0.1@99#DEFAULT"]}')
    write("consumer_list", "empty", b'{"consumerIdList":[]}')

    # pull_result: whole responses (without prefix), found / not found / moved
    write("pull_result", "found_json", json_frame_body({"code": 0, "flag": 1, "opaque": 9, "extFields": {"nextBeginOffset": "44", "minOffset": "0", "maxOffset": "44"}}, pull_body))
    write("pull_result", "found_binary", binary_frame_body(0, 9, 1, "", {"nextBeginOffset": "44", "minOffset": "0", "maxOffset": "44"}, pull_body))
    write("pull_result", "not_found", json_frame_body({"code": 19, "flag": 1, "opaque": 9, "extFields": {"nextBeginOffset": "44"}}))
    write("pull_result", "offset_moved", json_frame_body({"code": 21, "flag": 1, "opaque": 9, "extFields": {"nextBeginOffset": "0"}}))

    for t in sorted(CORPUS.iterdir()):
        print(f"{t.name}: {len(list(t.iterdir()))} seeds")


if __name__ == "__main__":
    main()
