#!/usr/bin/env python3
# bench/hotlines.py CALLGRIND_OUT PAIRS: the distinct 64-byte code lines a bench-tls13 row runs about once
# per handshake pair or more (a line counts when its hottest instruction ran >= 0.9 x PAIRS times), per
# object and per function: the code that has to fit the L1i (issue 13, bench/README.md "stop 15").
# CALLGRIND_OUT from (400 pairs per resumed12 row; o.2 = session ID, o.4 = ticket):
#   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg/o --dump-instr=yes --compress-pos=no \
#     --compress-strings=no --dump-before=measure_handshakes --dump-after=measure_handshakes \
#     --toggle-collect=pair_handshake --toggle-collect=pair_free build/bench/bench-tls13 --only resumed12 1
import sys, collections
f, pairs = sys.argv[1], int(sys.argv[2])
ob = None; fn = None; skip = False
lines = collections.defaultdict(int)   # (ob, line) -> max count
fnlines = collections.defaultdict(set)
bytes_exec = collections.defaultdict(set)
for l in open(f):
    if l.startswith('ob='): ob = l[3:].strip(); continue
    if l.startswith('fn='): fn = l[3:].strip(); continue
    if l.startswith('calls='): skip = True; continue
    if l.startswith('0x'):
        if skip: skip = False; continue
        parts = l.split()
        a = int(parts[0], 16); c = int(parts[2]) if len(parts) > 2 else 0
        key = (ob, a >> 6)
        if c > lines[key]: lines[key] = c
        if c >= pairs * 0.9:
            fnlines[(ob, fn)].add(a >> 6)
            bytes_exec[ob].add(a)
    else:
        skip = False if not l.startswith('calls') else skip
per_ob = collections.Counter(); 
for (o, ln), c in lines.items():
    if c >= pairs * 0.9: per_ob[o] += 1
tot = sum(per_ob.values())
print("hot lines (>=0.9 per pair): %d = %.1f KiB" % (tot, tot * 64 / 1024))
for o, n in per_ob.most_common(): print("  %5d lines %6.1f KiB  %4d instrs  %s" % (n, n*64/1024, len(bytes_exec[o]), o))
print("top functions by hot lines:")
for (o, fnn), s in sorted(fnlines.items(), key=lambda x: -len(x[1]))[:60]:
    print("  %4d  %s  (%s)" % (len(s), fnn, o.split('/')[-1]))
