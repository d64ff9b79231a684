#!/usr/bin/env python3
"""Checks of tests/trace/run.sh on what the brokers hold after trace_clients ran.

  check.py admin CLIENTS_OUT ADMIN_OUT PREFIX        mqadmin queryMsgTraceById output
  check.py decoded CLIENTS_OUT DECODED_JSONL PREFIX  the Java 4.9.8 decoder's view (TraceRecords)

Prints "FAIL ..." per failed check, then "N passed, M failed"; exit 1 on any failure.
`admin` with --quiet prints nothing and only exits 0 when every check passes (the poll loop).
"""
import json
import re
import sys


def read_ids(path):
    """KIND -> [ids] from trace_clients' output."""
    ids = {}
    for line in open(path, encoding="utf-8"):
        parts = line.split()
        if len(parts) == 2 and re.fullmatch(r"[0-9A-F,]{32,}", parts[1]):
            ids.setdefault(parts[0], []).append(parts[1])
    return ids


class Checks:
    def __init__(self):
        self.passed = 0
        self.failures = []

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failures.append(what)

    def report(self, quiet=False):
        if not quiet:
            for f in self.failures:
                print("FAIL " + f)
            print("%d passed, %d failed" % (self.passed, len(self.failures)))
        return 1 if self.failures else 0


def admin_sections(path):
    """msgId -> list of rows (type, group, status, cost) and the raw text of its section."""
    sections, current = {}, None
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.match(r"@@@ queryMsgTraceById -i (\S+)", line)
        if m:
            current = m.group(1)
            sections[current] = {"rows": [], "text": ""}
            continue
        if current is None or line.startswith("@@@"):
            continue
        sections[current]["text"] += line
        f = line.split()
        if len(f) == 7 and f[0] in ("Pub", "Sub"):
            sections[current]["rows"].append({"type": f[0], "group": f[1], "cost": f[5], "status": f[6]})
    return sections


def check_admin(ids, path, prefix, quiet):
    c = Checks()
    sections = admin_sections(path)
    pg, txg, cg = prefix + "_pg", prefix + "_txg", prefix + "_cg"

    def rows(msg_id, typ, group):
        return [r for r in sections.get(msg_id, {"rows": []})["rows"] if r["type"] == typ and r["group"] == group]

    def expect(kind, msg_id, typ, group, statuses):
        got = sorted(r["status"] for r in rows(msg_id, typ, group))
        c.check(got == sorted(statuses), "%s %s: %s rows of %s are %s, expected %s" % (kind, msg_id, typ, group, got, sorted(statuses)))

    for kind in ("sync", "async", "oneway", "orderly"):
        for i in ids.get(kind, []):
            expect(kind, i, "Pub", pg, ["success"])
            expect(kind, i, "Sub", cg, ["success"])
    for i in ids.get("batch", []):
        expect("batch", i, "Pub", pg, ["success"])
    for i in ids.get("batch-member", []):
        expect("batch member", i, "Sub", cg, ["success"])
    for i in ids.get("failonce", []):
        expect("failed once", i, "Pub", pg, ["success"])
        expect("failed once", i, "Sub", cg, ["failed", "success"])
    for i in ids.get("tx-commit", []):
        expect("transaction (commit)", i, "Pub", txg, ["success"])
        expect("transaction (commit)", i, "Sub", cg, ["success"])
    for i in ids.get("tx-rollback", []):
        expect("transaction (rollback)", i, "Pub", txg, ["success"])
        expect("transaction (rollback)", i, "Sub", cg, [])
    for i in ids.get("off", []):
        # sent untraced; the traced consumer group still traces consuming it
        c.check(not [r for r in sections.get(i, {"rows": []})["rows"] if r["type"] == "Pub"], "untraced send %s has a Pub row" % i)
        expect("untraced send", i, "Sub", cg, ["success"])
    for msg_id, s in sections.items():
        c.check(re.fullmatch(r"\d+ms", "0ms") and all(re.fullmatch(r"\d+ms", r["cost"]) for r in s["rows"]), "%s: cost column" % msg_id)
        c.check("_off" not in s["text"], "%s: a row of an untraced group" % msg_id)
        c.check("Exception" not in s["text"] or "CODE: 208" in s["text"], "%s: mqadmin failed: %s" % (msg_id, s["text"].strip()[:300]))
    c.check(len(sections) >= sum(len(v) for v in ids.values()), "mqadmin ran for every id")
    return c.report(quiet)


def check_decoded(ids, path, prefix):
    c = Checks()
    messages, contexts = [], []
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line.startswith("{"):
            o = json.loads(line)
            (messages if o["kind"] == "message" else contexts if o["kind"] == "context" else []).append(o)
    for m in messages:
        c.check(m["error"] is None and m["records"] == m["decoded"] and m["records"] > 0,
                "trace message %s: %s records, %s decoded, error %s" % (m["traceMsgId"], m["records"], m["decoded"], m["error"]))
        c.check(m["tags"] is None, "trace message %s has tags %s" % (m["traceMsgId"], m["tags"]))
        c.check(m["key"] in (m["keys"] or "").split(" "), "trace message %s: keys %s lack %s" % (m["traceMsgId"], m["keys"], m["key"]))
    pg, txg, cg = prefix + "_pg", prefix + "_txg", prefix + "_cg"

    def of(msg_id, typ):
        return [x for x in contexts if x["key"] == msg_id and x["type"] == typ]

    tags = {"sync": "TagA", "async": "TagB", "oneway": "", "orderly": "TagD", "failonce": "TagF"}
    keys = {"sync": "K1 K2", "async": "", "oneway": "KO", "orderly": "KD", "failonce": "FAILONCE"}
    for kind in tags:
        for i in ids.get(kind, []):
            pubs = of(i, "Pub")
            c.check(len(pubs) == 1, "%s %s: %d Pub records" % (kind, i, len(pubs)))
            for p in pubs:
                want_tags = tags[kind] or "null"
                want_keys = keys[kind] or "null"
                c.check(p["groupName"] == pg and p["success"] and p["msgType"] == "Normal_Msg", "%s Pub: %s" % (kind, p))
                c.check(p["tags"] == want_tags and p["keys"] == want_keys, "%s Pub tags/keys %r %r" % (kind, p["tags"], p["keys"]))
                c.check(p["bodyLength"] > 0 and re.fullmatch(r"[\d.]+:\d+", p["storeHost"] or ""), "%s Pub body/store host: %s" % (kind, p))
                c.check(p["regionId"] and p["timeStamp"] > 0 and p["costTime"] >= 0, "%s Pub region/time: %s" % (kind, p))
                c.check(kind == "oneway" or len(p["offsetMsgId"] or "") == 32, "%s Pub offset id %r" % (kind, p["offsetMsgId"]))
            befores, afters = of(i, "SubBefore"), of(i, "SubAfter")
            want = 2 if kind == "failonce" else 1
            c.check(len(befores) == want and len(afters) == want, "%s %s: %d SubBefore, %d SubAfter" % (kind, i, len(befores), len(afters)))
            c.check(all(b["groupName"] == cg for b in befores + afters), "%s Sub groups" % kind)
            c.check({b["requestId"] for b in befores} == {a["requestId"] for a in afters}, "%s: SubBefore/SubAfter request ids differ" % kind)
            if kind == "failonce":
                c.check(sorted(b["retryTimes"] for b in befores) == [0, 1], "failonce SubBefore retry times %s" % [b["retryTimes"] for b in befores])
                c.check(sorted((a["success"], a["contextCode"]) for a in afters) == [(False, 4), (True, 0)],
                        "failonce SubAfter success/context code %s" % [(a["success"], a["contextCode"]) for a in afters])
            else:
                c.check(all(a["success"] and a["contextCode"] == 0 for a in afters), "%s SubAfter: %s" % (kind, afters))
    for i in ids.get("batch", []):
        pubs = of(i, "Pub")
        c.check(len(pubs) == 1 and pubs[0]["tags"] == "null" and pubs[0]["keys"] == "null" and "," in pubs[0]["offsetMsgId"],
                "batch Pub: %s" % pubs)
    for kind, state in (("tx-commit", "COMMIT_MESSAGE"), ("tx-rollback", "ROLLBACK_MESSAGE")):
        for i in ids.get(kind, []):
            pubs, ends = of(i, "Pub"), of(i, "EndTransaction")
            c.check(len(pubs) == 1 and pubs[0]["msgType"] == "Trans_Msg_Half" and pubs[0]["groupName"] == txg, "%s Pub: %s" % (kind, pubs))
            c.check(len(ends) == 1 and ends[0]["transactionState"] == state and not ends[0]["fromTransactionCheck"]
                    and ends[0]["msgType"] == "Trans_msg_Commit" and ends[0]["tags"] == "TagT", "%s EndTransaction: %s" % (kind, ends))
    for i in ids.get("off", []):
        c.check(not of(i, "Pub"), "untraced send %s has a Pub record" % i)
    c.check(not [x for x in contexts if (x["groupName"] or "").endswith("_off")], "records of untraced groups")
    return c.report()


def main():
    quiet = "--quiet" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--quiet"]
    what, clients, data, prefix = args
    ids = read_ids(clients)
    if what == "admin":
        return check_admin(ids, data, prefix, quiet)
    return check_decoded(ids, data, prefix)


if __name__ == "__main__":
    sys.exit(main())
