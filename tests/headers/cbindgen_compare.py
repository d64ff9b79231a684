#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Part of librocketmq-rust.
"""Compare the header cbindgen generated from src/capi with include/rocketmq/*.h.

Usage: cbindgen_compare.py [-v] ROOT GENERATED_HEADER WORKDIR
Environment: CC (default gcc).

Checks (one output line per mismatch, "N passed, M failed" at the end, exit 1 on a mismatch):
  * functions: the generated set equals the names in tests/headers/prototypes.txt (and the
    headers declare exactly those); per function the return type, the parameter types in order
    and the parameter names are the same;
  * typedefs: structs (field names, types, array sizes, order), opaque handles, callback
    typedefs (return type, parameter types and names), enum typedefs (the Rust side is a plain
    `int` alias of the same name); no type in the generated header that the headers lack;
  * layout: sizeof / offsetof of every struct and field, compiled against each header;
  * constants: every integer #define and enumerator of the headers equals the Rust constant of
    the same (or mapped) name, both compiled and printed by the C compiler; the enumerators of
    CSendStatus / CPullStatus equal the discriminants of the core's SendStatus / PullStatus;
    every `pub const` in src/capi has a counterpart in the headers;
  * exported statics other than functions: only VERSION_FOR_PUSH_CONSUMER / _PULL_CONSUMER.

Types are compared as token lists without `struct`/`enum` keywords, so "const char *x" equals
"const char* x"; constness is significant. An enum typedef name of the headers (CLogLevel, ...)
equals the same name or plain `int` on the Rust side.
"""

import os
import re
import subprocess
import sys

HEADERS = [
    "CCommon.h", "CErrorMessage.h", "CMQException.h", "CMessage.h", "CMessageExt.h",
    "CBatchMessage.h", "CMessageQueue.h", "CSendResult.h", "CPullResult.h",
    "CTransactionStatus.h", "CProducer.h", "CPushConsumer.h", "CPullConsumer.h",
]

# Exported statics that are not in the headers (2.2.0 exported them too).
ALLOWED_GLOBALS = {"VERSION_FOR_PUSH_CONSUMER", "VERSION_FOR_PULL_CONSUMER"}

# Header constant -> Rust constant, where the names differ.
CONSTANT_RENAMES = {
    "Not_Support": "NOT_SUPPORT",  # CStatus; common.rs `status::NOT_SUPPORT`
    "OPEN": "TRACE_OPEN",  # CTraceModel
    # CLogLevel: the levels of core::log, which SetXxxLogLevel hands the value to.
    "E_LOG_LEVEL_FATAL": "FATAL",
    "E_LOG_LEVEL_ERROR": "ERROR",
    "E_LOG_LEVEL_WARN": "WARN",
    "E_LOG_LEVEL_INFO": "INFO",
    "E_LOG_LEVEL_DEBUG": "DEBUG",
    "E_LOG_LEVEL_TRACE": "TRACE",
}

# Header constants with no Rust constant, and why that is fine.
HEADER_ONLY_CONSTANTS = {
    "PRODUCER_ERROR_CODE_START": "CStatus range marker, never returned",
    "PUSHCONSUMER_ERROR_CODE_START": "CStatus range marker, never returned",
    "PULLCONSUMER_ERROR_CODE_START": "CStatus range marker, never returned",
    "NOT_SUPPORT_NOW": "CStatus value 2.2.0 never returned",
    "E_LOG_LEVEL_LEVEL_NUM": "CLogLevel count, not a level",
    "CLOSE": "CTraceModel: any value but TRACE_OPEN turns trace off",
    "E_CONSUME_SUCCESS": "CConsumeStatus, MessageCallBack result: no src/capi constant (yet)",
    "E_RECONSUME_LATER": "CConsumeStatus, MessageCallBack result: no src/capi constant (yet)",
}

# Header enum typedef -> (Rust source file, Rust enum): enumerators compared by position with the
# enum's explicit discriminants (the C API returns `status as c_int`).
CORE_ENUMS = {
    "CSendStatus": ("src/core/producer.rs", "SendStatus"),
    "CPullStatus": ("src/core/pull.rs", "PullStatus"),
}

# `pub const` items of src/capi with no header counterpart.
RUST_ONLY_CONSTANTS = {
    "VERSION_TEXT": "text of the Show*Version functions (a string, not in the headers)",
}

C_KEYWORDS = {
    "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "_Bool",
    "bool", "const", "volatile", "struct", "enum", "union", "restrict",
}
QUALIFIERS = {"const", "volatile", "struct", "enum", "union", "restrict"}

TOKEN_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|\.\.\.|[^\sA-Za-z0-9_]")


class Report:
    def __init__(self, verbose):
        self.verbose = verbose
        self.passed = 0
        self.failed = 0

    def ok(self, what):
        self.passed += 1
        if self.verbose:
            print("ok   " + what)

    def fail(self, what):
        self.failed += 1
        print("FAIL " + what)

    def check(self, cond, what_ok, what_fail):
        if cond:
            self.ok(what_ok)
        else:
            self.fail(what_fail)
        return cond


# ---------------------------------------------------------------- preprocessing and parsing

def preprocess(cc, path, include_dirs, keep):
    """Runs the C preprocessor; returns the text that comes from files for which keep(file)."""
    cmd = [cc, "-E", "-std=c99", "-x", "c"] + ["-I" + d for d in include_dirs] + [path]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    kept = []
    current = ""
    for line in out.splitlines():
        m = re.match(r'^# \d+ "([^"]*)"', line)
        if m:
            current = m.group(1)
            continue
        if keep(current):
            kept.append(line)
    return "\n".join(kept)


def statements(text):
    """Top-level declarations as token lists (split at ';' outside braces)."""
    tokens = TOKEN_RE.findall(text)
    out, cur, depth = [], [], 0
    for t in tokens:
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
        if t == ";" and depth == 0:
            if cur:
                out.append(cur)
            cur = []
            continue
        cur.append(t)
    if cur:
        out.append(cur)
    return out


def split_commas(tokens):
    parts, cur, depth = [], [], 0
    for t in tokens:
        if t in "([{":
            depth += 1
        elif t in ")]}":
            depth -= 1
        if t == "," and depth == 0:
            parts.append(cur)
            cur = []
            continue
        cur.append(t)
    if cur or parts:
        parts.append(cur)
    return parts


def matching(tokens, i):
    """Index of the bracket closing tokens[i]."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    opening, closing, depth = tokens[i], pairs[tokens[i]], 0
    for j in range(i, len(tokens)):
        if tokens[j] == opening:
            depth += 1
        elif tokens[j] == closing:
            depth -= 1
            if depth == 0:
                return j
    raise ValueError("unbalanced: " + " ".join(tokens))


def type_tokens(tokens):
    """A type as a token list: no struct/enum/union keywords."""
    return [t for t in tokens if t not in ("struct", "enum", "union")]


def type_str(tokens):
    s = ""
    for t in tokens:
        if t == "*":
            s += "*"
        elif t == "[":
            s += "["
        elif s.endswith("["):
            s += t
        elif t == "]":
            s += "]"
        else:
            s += (" " if s else "") + t
    return s


def decl(tokens):
    """A parameter or field declaration -> (type tokens, name or None, array dims)."""
    dims = []
    while tokens and tokens[-1] == "]":
        j = len(tokens) - 1
        while tokens[j] != "[":
            j -= 1
        dims.insert(0, "".join(tokens[j + 1:-1]))
        tokens = tokens[:j]
    name = None
    if (len(tokens) >= 2 and re.match(r"^[A-Za-z_]\w*$", tokens[-1]) and tokens[-1] not in C_KEYWORDS
            and any(t not in QUALIFIERS for t in tokens[:-1])):
        name = tokens[-1]
        tokens = tokens[:-1]
    return type_tokens(tokens), name, dims


def params_of(tokens):
    """Parameter tokens between the parentheses -> list of (type tokens, name)."""
    if not tokens or tokens == ["void"]:
        return []
    out = []
    for p in split_commas(tokens):
        t, n, dims = decl(p)
        if dims:  # an array parameter decays to a pointer
            t = t + ["*"] * len(dims)
        out.append((t, n))
    return out


class Api:
    """The declarations of one translation unit."""

    def __init__(self):
        self.functions = {}  # name -> (ret tokens, [(type tokens, name)])
        self.function_order = []
        self.structs = {}  # name -> [(type tokens, name, dims)]
        self.enums = {}  # name -> [(enumerator, value text or None)]
        self.opaque = {}  # name -> struct tag
        self.aliases = {}  # name -> type tokens
        self.fnptrs = {}  # name -> (ret tokens, params)
        self.globals = {}  # name -> declaration text
        self.unparsed = []


def parse(text):
    api = Api()
    for st in statements(text):
        if st[0] == "typedef":
            body = st[1:]
            if body[0] in ("struct", "enum", "union") and "{" in body:
                i = body.index("{")
                j = matching(body, i)
                name = body[-1]
                inner = body[i + 1:j]
                if body[0] == "enum":
                    members = []
                    for m in split_commas(inner):
                        if not m:
                            continue
                        members.append((m[0], "".join(m[2:]) if len(m) > 2 and m[1] == "=" else None))
                    api.enums[name] = members
                else:
                    api.structs[name] = [decl(f) for f in statements(" ".join(inner))]
            elif body[0] in ("struct", "union") and len(body) == 3:
                api.opaque[body[2]] = body[1]
            elif "(" in body and body[body.index("(") + 1] == "*":
                i = body.index("(")
                name = body[i + 2]
                k = body.index("(", i + 1)
                api.fnptrs[name] = (type_tokens(body[:i]), params_of(body[k + 1:matching(body, k)]))
            else:
                api.aliases[body[-1]] = type_tokens(body[:-1])
        elif st[0] == "extern":
            name = st[st.index("[") - 1] if "[" in st else st[-1]
            api.globals[name] = type_str(st)
        elif "(" in st:
            i = st.index("(")
            name = st[i - 1]
            j = matching(st, i)
            api.functions[name] = (type_tokens(st[:i - 1]), params_of(st[i + 1:j]))
            api.function_order.append(name)
        else:
            api.unparsed.append(" ".join(st))
    return api


# ---------------------------------------------------------------- comparison helpers

def same_type(h, g, header_enums):
    """Header type tokens h vs generated g; an enum typedef of the header also matches int."""
    if len(h) != len(g):
        return False
    return all(a == b or (a in header_enums and b == "int") for a, b in zip(h, g))


def show_param(p):
    t, n = p
    return type_str(t) + (" " + n if n else "")


def show_sig(ret, params):
    return "%s(%s)" % (type_str(ret), ", ".join(show_param(p) for p in params) or "void")


def compare_signature(rep, what, h, g, header_enums):
    """h, g = (ret tokens, params). One failure per difference."""
    (hr, hp), (gr, gp) = h, g
    bad = 0
    if not same_type(hr, gr, header_enums):
        rep.fail("%s: return type: header '%s', rust '%s'" % (what, type_str(hr), type_str(gr)))
        bad += 1
    if len(hp) != len(gp):
        rep.fail("%s: %d parameters in the header, %d in rust: header %s, rust %s"
                 % (what, len(hp), len(gp), show_sig(hr, hp), show_sig(gr, gp)))
        return
    for k, (a, b) in enumerate(zip(hp, gp), 1):
        if not same_type(a[0], b[0], header_enums):
            rep.fail("%s: parameter %d type: header '%s', rust '%s'" % (what, k, show_param(a), show_param(b)))
            bad += 1
        if a[1] != b[1]:
            rep.fail("%s: parameter %d name: header '%s', rust '%s'" % (what, k, a[1] or "(unnamed)", b[1] or "(unnamed)"))
            bad += 1
    if not bad:
        rep.ok("%s %s" % (what, show_sig(gr, gp)))


def compile_and_run(cc, workdir, name, source, include_dirs):
    src = os.path.join(workdir, name + ".c")
    exe = os.path.join(workdir, name)
    with open(src, "w") as f:
        f.write(source)
    cmd = [cc, "-std=c11", "-w", "-o", exe] + ["-I" + d for d in include_dirs] + [src]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr
    r = subprocess.run([exe], capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr
    values = {}
    for line in r.stdout.splitlines():
        k, v = line.split(" ", 1)
        values[k] = int(v)
    return values, ""


def value_program(includes, names, structs):
    lines = ["#include <stddef.h>", "#include <stdio.h>"]
    lines += ['#include "%s"' % h for h in includes]
    lines.append("int main(void) {")
    for n in names:
        lines.append('  printf("%%s %%lld\\n", "%s", (long long)(%s));' % (n, n))
    for s, fields in structs.items():
        lines.append('  printf("%%s %%lld\\n", "sizeof(%s)", (long long)sizeof(%s));' % (s, s))
        for f in fields:
            lines.append('  printf("%%s %%lld\\n", "offsetof(%s.%s)", (long long)offsetof(%s, %s));' % (s, f, s, f))
    lines.append("  return 0;")
    lines.append("}")
    return "\n".join(lines) + "\n"


def rust_enum_discriminants(path, enum):
    """[(variant, value)] of `enum <enum> { A = 0, ... }` in a Rust file, or None."""
    try:
        text = open(path).read()
    except OSError:
        return None
    m = re.search(r"\benum\s+%s\s*\{(.*?)\}" % re.escape(enum), text, re.S)
    if not m:
        return None
    body = re.sub(r"//[^\n]*", "", m.group(1))
    body = re.sub(r"#\[[^\]]*\]", "", body)
    out = []
    for item in body.split(","):
        item = item.strip()
        if not item:
            continue
        mm = re.match(r"^([A-Za-z_]\w*)\s*=\s*(-?\d+)$", item)
        if not mm:
            return None
        out.append((mm.group(1), int(mm.group(2))))
    return out


def capi_constants(root):
    """{name: file} of the `pub const` items in src/capi."""
    out = {}
    d = os.path.join(root, "src", "capi")
    for fn in sorted(os.listdir(d)):
        if fn.endswith(".rs"):
            for line in open(os.path.join(d, fn)):
                m = re.match(r"^\s*pub const ([A-Za-z_]\w*)\s*:", line)
                if m:
                    out[m.group(1)] = "src/capi/" + fn
    return out


# ---------------------------------------------------------------- main

def main(argv):
    verbose = False
    if argv and argv[0] == "-v":
        verbose = True
        argv = argv[1:]
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    root, generated, workdir = argv
    cc = os.environ.get("CC", "gcc")
    inc = os.path.join(root, "include", "rocketmq")
    rep = Report(verbose)

    # Parse both sides (after the preprocessor: no comments, macros expanded).
    all_c = os.path.join(workdir, "all_headers.c")
    with open(all_c, "w") as f:
        f.write("".join('#include "%s"\n' % h for h in HEADERS))
    inc_real = os.path.realpath(inc)
    hdr_text = preprocess(cc, all_c, [inc], lambda f: os.path.realpath(f).startswith(inc_real + os.sep))
    gen_real = os.path.realpath(generated)
    gen_text = preprocess(cc, generated, [], lambda f: os.path.realpath(f) == gen_real)
    H = parse(hdr_text)
    G = parse(gen_text)
    for what, api in (("header", H), ("generated header", G)):
        for s in api.unparsed:
            rep.fail("%s: declaration not understood: %s" % (what, s))

    header_enums = set(H.enums)

    # ---- function set
    expected = []
    for line in open(os.path.join(root, "tests", "headers", "prototypes.txt")):
        m = re.search(r"([A-Za-z_]\w*)\(", line)
        if m:
            expected.append(m.group(1))
    exp = set(expected)
    rep.check(len(expected) == len(exp) == 144, "prototypes.txt lists 144 distinct functions",
              "prototypes.txt lists %d functions (%d distinct), expected 144" % (len(expected), len(exp)))
    for n in sorted(exp - set(H.functions)):
        rep.fail("function %s: in prototypes.txt, not declared in include/rocketmq" % n)
    for n in sorted(set(H.functions) - exp):
        rep.fail("function %s: declared in include/rocketmq, not in prototypes.txt" % n)
    for n in sorted(exp - set(G.functions)):
        rep.fail("function %s: in the headers, not exported by src/capi" % n)
    for n in sorted(set(G.functions) - exp):
        rep.fail("function %s: exported by src/capi, not in the headers: %s" % (n, show_sig(*G.functions[n])))
    if exp == set(G.functions):
        rep.ok("src/capi exports exactly the %d functions of prototypes.txt" % len(exp))

    # ---- function signatures
    for n in H.function_order:
        if n in G.functions:
            compare_signature(rep, "function " + n, H.functions[n], G.functions[n], header_enums)

    # ---- exported statics
    for n in sorted(G.globals):
        rep.check(n in ALLOWED_GLOBALS, "static %s (allowed)" % n,
                  "static %s: exported by src/capi, not in the headers: %s" % (n, G.globals[n]))
    for n in sorted(H.globals):
        rep.fail("static %s: declared in the headers; the check does not know it" % n)

    # ---- typedefs
    header_types = set(H.structs) | set(H.enums) | set(H.opaque) | set(H.fnptrs) | set(H.aliases)
    for n in sorted(H.aliases):
        rep.fail("typedef %s: plain alias in the headers; the check does not know it" % n)
    gen_types = set(G.structs) | set(G.enums) | set(G.opaque) | set(G.fnptrs) | set(G.aliases)
    for n in sorted(gen_types - header_types):
        rep.fail("type %s: in the generated header, not in include/rocketmq" % n)

    def gen_kind(n):
        for kind, table in (("struct", G.structs), ("enum", G.enums), ("opaque struct", G.opaque),
                            ("callback", G.fnptrs), ("alias", G.aliases)):
            if n in table:
                return kind
        return None

    for n, fields in sorted(H.structs.items()):
        if n not in G.structs:
            rep.fail("struct %s: rust has %s" % (n, gen_kind(n) or "no such type"))
            continue
        gf = G.structs[n]
        bad = 0
        if [f[1] for f in fields] != [f[1] for f in gf]:
            rep.fail("struct %s: fields: header [%s], rust [%s]"
                     % (n, ", ".join(f[1] or "?" for f in fields), ", ".join(f[1] or "?" for f in gf)))
            bad += 1
        else:
            for (ht, hn, hd), (gt, _, gd) in zip(fields, gf):
                if not same_type(ht, gt, header_enums) or hd != gd:
                    rep.fail("struct %s: field %s: header '%s%s', rust '%s%s'"
                             % (n, hn, type_str(ht), "".join("[%s]" % d for d in hd),
                                type_str(gt), "".join("[%s]" % d for d in gd)))
                    bad += 1
        if not bad:
            rep.ok("struct %s {%s}" % (n, "; ".join("%s %s%s" % (type_str(t), f, "".join("[%s]" % d for d in ds)) for t, f, ds in gf)))

    for n in sorted(H.opaque):
        if n in G.opaque:
            rep.ok("opaque %s" % n)
        elif n in G.aliases and len(G.aliases[n]) == 1 and G.aliases[n][0] in G.opaque and G.aliases[n][0] in H.opaque:
            # CMessageExt: a #[repr(transparent)] wrapper of the opaque CMessage in Rust.
            rep.ok("opaque %s (alias of the opaque %s in rust)" % (n, G.aliases[n][0]))
        elif gen_kind(n) is None:
            rep.ok("opaque %s (not used by rust signatures)" % n)
        else:
            rep.fail("opaque %s: rust has %s" % (n, gen_kind(n)))

    for n in sorted(H.enums):
        k = gen_kind(n)
        if k is None:
            rep.ok("enum %s (no rust alias; int accepted)" % n)
        elif k == "alias" and G.aliases[n] == ["int"]:
            rep.ok("enum %s (rust: typedef int %s)" % (n, n))
        else:
            rep.fail("enum %s: rust has %s %s, expected `typedef int %s`"
                     % (n, k, type_str(G.aliases.get(n, [])), n))

    for n in sorted(H.fnptrs):
        if n not in G.fnptrs:
            if gen_kind(n) is None and not any(n in ret + [t for p in ps for t in p[0]] for ret, ps in G.functions.values()):
                rep.fail("callback %s: not in the generated header (no rust function uses it)" % n)
            else:
                rep.fail("callback %s: rust has %s" % (n, gen_kind(n)))
            continue
        compare_signature(rep, "callback " + n, H.fnptrs[n], G.fnptrs[n], header_enums)

    # ---- constants and layouts, through the C compiler
    header_macros = []
    for h in HEADERS:
        for line in open(os.path.join(inc, h)):
            m = re.match(r"^\s*#\s*define\s+([A-Za-z_]\w*)\s+\(?-?(?:0[xX][0-9a-fA-F]+|\d+)[uUlL]*\)?\s*(?:/[*/].*)?$", line)
            if m:
                header_macros.append(m.group(1))
    header_consts = header_macros + [e for members in H.enums.values() for e, _ in members]
    gen_macros = []
    for line in open(generated):
        m = re.match(r"^\s*#\s*define\s+([A-Za-z_]\w*)\s+\S", line)
        if m:
            gen_macros.append(m.group(1))
    dups = sorted({n for n in gen_macros if gen_macros.count(n) > 1})
    for n in dups:
        rep.fail("constant %s: defined more than once in the generated header (two Rust constants of that name)" % n)

    struct_fields = {s: [f[1] for f in fields] for s, fields in H.structs.items() if s in G.structs}
    hv, err = compile_and_run(cc, workdir, "header_values", value_program(HEADERS, header_consts, struct_fields), [inc])
    if hv is None:
        rep.fail("compiling the header constants program: " + err.strip().replace("\n", " | ")[:600])
        hv = {}
    gen_struct_fields = {s: [f[1] for f in G.structs[s]] for s in struct_fields}
    gv, err = compile_and_run(cc, workdir, "rust_values",
                              value_program([os.path.abspath(generated)], [n for n in gen_macros if n not in dups], gen_struct_fields), [])
    if gv is None:
        rep.fail("compiling the generated header constants program: " + err.strip().replace("\n", " | ")[:600])
        gv = {}

    if hv and gv:
        for s in sorted(struct_fields):
            keys = ["sizeof(%s)" % s] + ["offsetof(%s.%s)" % (s, f) for f in struct_fields[s] if f in gen_struct_fields[s]]
            diffs = ["%s %s vs %s" % (k, hv.get(k), gv.get(k)) for k in keys if hv.get(k) != gv.get(k)]
            if diffs:
                rep.fail("layout of %s: header vs rust: %s" % (s, "; ".join(diffs)))
            else:
                rep.ok("layout of %s: size %d" % (s, hv["sizeof(%s)" % s]))

        core_enum_members = {}
        for e, members in H.enums.items():
            if e in CORE_ENUMS:
                for m, _ in members:
                    core_enum_members[m] = e

        for n in header_consts:
            if n in core_enum_members:
                continue
            r = CONSTANT_RENAMES.get(n, n)
            if r in gv:
                rep.check(hv.get(n) == gv[r], "constant %s = %s%s" % (n, hv.get(n), "" if r == n else " (rust %s)" % r),
                          "constant %s: header %s, rust %s = %s" % (n, hv.get(n), r, gv[r]))
            elif n in HEADER_ONLY_CONSTANTS:
                rep.ok("constant %s = %s: header only (%s)" % (n, hv.get(n), HEADER_ONLY_CONSTANTS[n]))
            else:
                rep.fail("constant %s = %s: no rust constant %s" % (n, hv.get(n), r))

        for e, (path, enum) in sorted(CORE_ENUMS.items()):
            members = H.enums.get(e)
            if members is None:
                rep.fail("enum %s: not in the headers" % e)
                continue
            disc = rust_enum_discriminants(os.path.join(root, path), enum)
            if disc is None:
                rep.fail("enum %s: no `enum %s {Variant = N, ...}` with explicit values in %s (update CORE_ENUMS in %s)"
                         % (e, enum, path, os.path.basename(__file__)))
                continue
            hvals = [(m, hv.get(m)) for m, _ in members]
            if [v for _, v in hvals] == [v for _, v in disc]:
                rep.ok("enum %s = %s::%s %s" % (e, path, enum, [v for _, v in disc]))
            else:
                rep.fail("enum %s: header %s, rust %s::%s %s"
                         % (e, ", ".join("%s=%s" % x for x in hvals), path, enum, ", ".join("%s=%s" % x for x in disc)))

        mapped = {CONSTANT_RENAMES.get(n, n) for n in header_consts}
        for n, path in sorted(capi_constants(root).items()):
            if n in mapped:
                continue
            rep.check(n in RUST_ONLY_CONSTANTS, "rust constant %s: not in the headers (%s)" % (n, RUST_ONLY_CONSTANTS.get(n)),
                      "rust constant %s (%s): no constant of that name in include/rocketmq" % (n, path))

    print("%d passed, %d failed" % (rep.passed, rep.failed))
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
