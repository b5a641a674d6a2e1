# Writes limbo.json from a checkout of C2SP/x509-limbo (its own generator, with the bettertls
# export it registers): python3 gen-limbo.py LIMBO_CHECKOUT OUT.json  (see README.md; fetches nothing).
import sys, types
sys.path.insert(0, sys.argv[1])
for m in ("OpenSSL", "certifi", "requests"):
    try:
        __import__(m)
    except ImportError:
        mod = types.ModuleType(m); mod.SSL = None; mod.crypto = None; mod.where = lambda: ""
        sys.modules[m] = mod
from limbo import testcases
from limbo.models import Limbo
from limbo.testcases import invalid
for cls in ("MalformedRSAPrivateKey", "MalformedRSAPublicKey"):
    c = getattr(invalid, cls, None)
    if c is not None:
        c.__deepcopy__ = lambda self, memo: self
        c.__copy__ = lambda self: self
        c.__abstractmethods__ = frozenset()
from limbo.testcases import online, bettertls
bettertls.register_testcases()
online.register_testcases()
all_tc = []
for name, tc in testcases.registry.items():
    try:
        all_tc.append(tc())
    except Exception as e:
        print("FAILED to generate", name, e, file=sys.stderr)
print(len(all_tc), file=sys.stderr)
open(sys.argv[2], "w").write(Limbo(version=1, testcases=all_tc).model_dump_json(indent=1))
