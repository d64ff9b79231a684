#!/usr/bin/env python3
"""Field-by-field comparison of the JSON lines of tests/java/run.sh (stdlib only).

  compare.py keys PRODUCER.jsonl                 user property names (one per line)
  compare.py count PRODUCER.jsonl EXPRESSION     messages a subscription EXPRESSION selects
  compare.py check [--expr LABEL=EXPRESSION ...] [--reference LABEL] PRODUCER.jsonl LABEL=CONSUMER.jsonl ...

check: one test per (sent message, consumer): the consumer must have received it exactly once
(matched by msg_id) with every field equal; plus one test per consumer for unexpected messages,
and one per sent message for its send status. With --reference LABEL, the stored fields
(born/store timestamp and host, store size, commit log offset) that every other consumer reads
must equal what that consumer (the Java client) read for the same message. Prints "ok ..." /
"FAIL ..." lines and, last, "N passed, M failed".

Consumer kinds (from the "receiver" field):
  ours-push / ours-pull   the C API of librocketmq.so: absent strings read as "" (2.2.0's
                          GetMessage* return "" for a missing tag/key/property), properties are
                          those named on the command line, no sys_flag
  java-4.9.8-push         MessageExt: absent = null, all properties, sys_flag
"""
import base64
import json
import sys


def load(path):
    out = []
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            line = raw.decode("utf-8", "surrogateescape").strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except ValueError as e:
                out.append({"_bad_line": "%s:%d: %s: %r" % (path, n, e, line[:200])})
    return out


def tag_set(expr):
    expr = (expr or "*").strip()
    if expr in ("", "*"):
        return None
    return {t.strip() for t in expr.split("||") if t.strip()}


def selected(msg, tags):
    return tags is None or (msg.get("tags") or "") in tags


def short(v, n=120):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


def cstr_len(b64):
    body = base64.b64decode(b64)
    i = body.find(b"\0")
    return len(body) if i < 0 else i


def compare(sent, got, kind, all_prop_keys):
    """Mismatches between a sent message and one received record."""
    bad = []

    def eq(field, want, have):
        if want == have:
            return
        if isinstance(want, dict) and isinstance(have, dict):
            for k in sorted(set(want) | set(have)):
                if want.get(k) != have.get(k):
                    bad.append("%s %s: sent %s, received %s" % (field, short(k), short(want.get(k, "(absent)")),
                                                                short(have.get(k, "(absent)"))))
        else:
            bad.append("%s: sent %s, received %s" % (field, short(want), short(have)))

    ours = kind.startswith("ours")
    absent = "" if ours else None
    eq("topic", sent["topic"], got.get("topic"))
    eq("tags", sent["tags"] if sent["tags"] is not None else absent, got.get("tags"))
    eq("keys", sent["keys"] if sent["keys"] is not None else absent, got.get("keys"))
    eq("body_len", sent["body_len"], got.get("body_len"))
    if sent["body_b64"] != got.get("body_b64"):
        a = base64.b64decode(sent["body_b64"])
        b = base64.b64decode(got.get("body_b64") or "")
        i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
        bad.append("body: %d sent bytes, %d received, first difference at byte %d (sent %r, received %r)"
                   % (len(a), len(b), i, a[i:i + 16], b[i:i + 16]))
    eq("msg_id", sent["msg_id"], got.get("msg_id"))
    if sent.get("queue_id", -1) >= 0:
        eq("queue_id", sent["queue_id"], got.get("queue_id"))
    if sent.get("queue_offset", -1) >= 0:  # -1: the send result's offset is in another queue
        eq("queue_offset", sent["queue_offset"], got.get("queue_offset"))
    eq("reconsume_times", 0, got.get("reconsume_times"))
    eq("delay_level", sent.get("delay_level", 0), got.get("delay_level"))
    if not isinstance(got.get("store_size"), int) or got["store_size"] <= 0:
        bad.append("store_size: %s" % short(got.get("store_size")))
    if sent["case"] == "big_text" and isinstance(got.get("store_size"), int) \
            and got["store_size"] >= sent["body_len"]:
        bad.append("store_size %d >= body length %d: the body was not stored compressed"
                   % (got["store_size"], sent["body_len"]))
    if ours:
        eq("body_cstr_len (strlen of GetMessageBody)", cstr_len(sent["body_b64"]), got.get("body_cstr_len"))
        props = got.get("props") or {}
        for k in all_prop_keys:
            eq("property %s" % short(k), sent["props"].get(k, ""), props.get(k))
        sys_ = got.get("sys") or {}
        eq("property UNIQ_KEY", sent["msg_id"], sys_.get("UNIQ_KEY"))
        eq("property KEYS", sent["keys"] or "", sys_.get("KEYS"))
        eq("property TAGS", sent["tags"] or "", sys_.get("TAGS"))
    else:
        user = dict(got.get("user_props") or {})
        # a 5.x broker adds __transactionId__ (the message id) to a transaction it commits
        if sent.get("sender") == "ours-SendMessageTransaction" and user.get("__transactionId__") == sent["msg_id"]:
            del user["__transactionId__"]
        eq("user properties", sent["props"], user)
        eq("property UNIQ_KEY", sent["msg_id"], (got.get("props") or {}).get("UNIQ_KEY"))
        if "sys_flag_expected" in sent:
            eq("sys_flag", sent["sys_flag_expected"], got.get("sys_flag"))
        if "flag" in sent:
            eq("flag", sent["flag"], got.get("flag"))
        for k, v in sorted((sent.get("sys_props") or {}).items()):
            eq("property %s" % short(k), v, (got.get("props") or {}).get(k))
        if "born_after" in sent:
            born = got.get("born_ts")
            if not isinstance(born, int) or not sent["born_after"] <= born <= sent["born_before"]:
                bad.append("born_ts %s outside the send's window [%d, %d]"
                           % (short(born), sent["born_after"], sent["born_before"]))
    return bad


STORED_FIELDS = ("born_ts", "store_ts", "store_size", "commitlog_offset", "born_host", "store_host")


def host(v):
    return v[1:] if isinstance(v, str) and v.startswith("/") else v


def check(argv):
    exprs = {}
    files = []
    reference = None
    i = 0
    while i < len(argv):
        if argv[i] == "--expr":
            label, _, e = argv[i + 1].partition("=")
            exprs[label] = e
            i += 2
        elif argv[i] == "--reference":
            reference = argv[i + 1]
            i += 2
        else:
            files.append(argv[i])
            i += 1
    producer, consumers = files[0], files[1:]
    sent_all = load(producer)
    passed = failed = 0

    def result(ok, text):
        nonlocal passed, failed
        if ok:
            passed += 1
            print("ok   " + text)
        else:
            failed += 1
            print("FAIL " + text)

    sent = []
    for s in sent_all:
        if "_bad_line" in s:
            result(False, "producer output: " + s["_bad_line"])
            continue
        name = "%s[%s#%s]" % (s.get("sender"), s.get("case"), s.get("round"))
        ok = s.get("status") == "SEND_OK" and s.get("msg_id")
        result(ok, "send %s -> %s" % (name, "msgId %s queue %s offset %s" % (
            s.get("msg_id"), s.get("queue_id"), s.get("queue_offset")) if ok else "status %s: %s" % (
            s.get("status"), short({k: v for k, v in s.items() if k in ("rc", "error", "batch_msg_id")}, 400))))
        if ok:
            sent.append(s)
    if not sent:
        result(False, "%s: no message was sent" % producer)
    prop_keys = sorted({k for s in sent for k in s["props"]})
    topics = {s["topic"] for s in sent}
    ids = {s["msg_id"] for s in sent}

    # The reference consumer (the Java client) read the same stored messages: what the broker
    # stored (timestamps, hosts, sizes, commit log offset) must read the same through ours.
    ref = {}
    for spec in consumers:
        label, _, path = spec.partition("=")
        if label == reference:
            try:
                for r in load(path):
                    ref.setdefault(r.get("msg_id"), r)
            except OSError:
                pass

    for spec in consumers:
        label, _, path = spec.partition("=")
        try:
            recs = load(path)
        except OSError as e:
            result(False, "%s: %s" % (label, e))
            continue
        for r in recs:
            if "_bad_line" in r:
                result(False, "%s output: %s" % (label, r["_bad_line"]))
        recs = [r for r in recs if "_bad_line" not in r and r.get("topic") in topics]
        by_id = {}
        for r in recs:
            by_id.setdefault(r.get("msg_id"), []).append(r)
        tags = tag_set(exprs.get(label))
        want = [s for s in sent if selected(s, tags)]
        for s in want:
            name = "%s[%s#%s] -> %s" % (s["sender"], s["case"], s["round"], label)
            got = by_id.get(s["msg_id"], [])
            if not got:
                result(False, "%s: not received (msgId %s)" % (name, s["msg_id"]))
                continue
            bad = compare(s, got[0], got[0].get("receiver", ""), prop_keys)
            if len(got) > 1:
                bad.append("delivered %d times" % len(got))
            if label != reference and s["msg_id"] in ref:
                for f in STORED_FIELDS:
                    a, b = host(ref[s["msg_id"]].get(f)), host(got[0].get(f))
                    if a != b:
                        bad.append("%s: %s reads %s, %s reads %s" % (f, reference, short(a), label, short(b)))
            result(not bad, name + ("" if not bad else ":\n       " + "\n       ".join(bad)))
        # messages of one sharding key went to one queue
        shards = {}
        for s in want:
            if s.get("same_queue") and by_id.get(s["msg_id"]):
                shards.setdefault(s["same_queue"], set()).add(by_id[s["msg_id"]][0].get("queue_id"))
        for key, qs in sorted(shards.items()):
            result(len(qs) == 1, "%s: sharding key %s: queue ids %s" % (label, key, sorted(qs, key=str)))
        want_ids = {s["msg_id"] for s in want}
        extra = [r for r in recs if r.get("msg_id") not in want_ids]
        detail = "; ".join("msgId %s tags %s keys %s (%s)" % (
            r.get("msg_id"), short(r.get("tags")), short(r.get("keys")),
            "sent but not selected by the subscription" if r.get("msg_id") in ids else "never sent")
            for r in extra[:5])
        result(not extra, "%s: %d records for %d expected messages, no unexpected message%s"
               % (label, len(recs), len(want), "" if not extra else ": " + detail))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "keys":
        keys = sorted({k for s in load(sys.argv[2]) for k in (s.get("props") or {})})
        sys.stdout.buffer.write("".join(k + "\n" for k in keys).encode("utf-8", "surrogateescape"))
        return 0
    if len(sys.argv) >= 4 and sys.argv[1] == "count":
        tags = tag_set(sys.argv[3])
        print(sum(1 for s in load(sys.argv[2]) if s.get("status") == "SEND_OK" and selected(s, tags)))
        return 0
    if len(sys.argv) >= 4 and sys.argv[1] == "check":
        return check(sys.argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
