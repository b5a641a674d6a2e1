#!/usr/bin/env python3
"""Runs tlsfuzzer's scripts, grouped in the four profiles of issue 10, against one server.

tlsfuzzer itself is not part of this tree: point --tlsfuzzer at a checkout of
github.com/tlsfuzzer/tlsfuzzer (measured at commit 14555fe) and --tlslite at one
of tlslite-ng; python3-ecdsa comes from Debian.  docs/tlsfuzzer.md says how the
profiles were chosen, which server options reproduce each reference setup and
why each remaining failure fails.

Every script is run once, with the arguments tlsfuzzer's own tests/tlslite-ng.json
gives it (its block's common_arguments first), minus the -x/-X expected-failure marks (those record tlslite-ng's own
gaps, so they would make a correct server fail).  A script passes when it exits 0.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
OLD_TOOL = False  # --old-tool: a gtls-tool from before --renegotiation existed
# tlslite-ng offers and accepts SHA-1 and SHA-224 signatures in TLS 1.2 by
# default; ours does only with --legacy-signatures, which the runner passes
# to reproduce that setup (--strict-signatures measures our defaults).
LEGACY_SIGS = True
LEGACY12 = "rsa_pkcs1_sha1 ecdsa_sha1 rsa_pkcs1_sha224 ecdsa_sha224"
CERT_COMPRESSION = True  # --no-cert-compression: a binary without --cert-compression
TLSLITE_BLOCKS = {}  # setup -> tlslite-ng.json server_command (load_profiles fills it)
TLSLITE_TLS_PY = ""  # --tlslite's scripts/tls.py
TLSLITE_PYTHON = "/usr/bin/python3"  # --python
SIGALGS = ("mldsa87 mldsa65 mldsa44 ed25519 ed448 ecdsa_brainpoolP512r1tls13_sha512 "
           "ecdsa_brainpoolP384r1tls13_sha384 ecdsa_brainpoolP256r1tls13_sha256 "
           "ecdsa_secp521r1_sha512 ecdsa_secp384r1_sha384 ecdsa_secp256r1_sha256 "
           "rsa_pss_rsae_sha512 rsa_pss_pss_sha512 rsa_pss_rsae_sha384 rsa_pss_pss_sha384 "
           "rsa_pss_rsae_sha256 rsa_pss_pss_sha256").split()
SIGALGS12 = ("ed25519 ed448 ecdsa_secp521r1_sha512 ecdsa_secp384r1_sha384 "
             "ecdsa_secp256r1_sha256 ecdsa_sha224 ecdsa_sha1 dsa_sha512 dsa_sha384 dsa_sha256 "
             "dsa_sha224 dsa_sha1 rsa_pss_rsae_sha512 rsa_pss_pss_sha512 rsa_pss_rsae_sha384 "
             "rsa_pss_pss_sha384 rsa_pss_rsae_sha256 rsa_pss_pss_sha256 rsa_pkcs1_sha512 "
             "rsa_pkcs1_sha384 rsa_pkcs1_sha256 rsa_pkcs1_sha224 rsa_pkcs1_sha1").split()

# Scripts whose -x/-X marks describe the server setup, not a gap of
# tlslite-ng: test-tls13-ecdsa-support expects handshake_failure when the
# client offers only brainpool schemes, which no server here has a
# certificate for (RFC 8446 §4.4.2.2, §4.4.3).
KEEP_X = ("test-tls13-ecdsa-support.py",)

# The server setups, named after the blocks of tlsfuzzer's tests/tlslite-ng.json.
SETUPS = ("rsa", "rsa-tls12", "ssl3", "rsa-reqcert", "rsa-pss", "echo", "ecdsa", "pha",
          "rsa-noreneg")

# test-renegotiation-disabled checks how a server with renegotiation turned
# off refuses it (tlslite-ng passes it by not implementing renegotiation):
# it runs against the RSA setup with renegotiation off.
NORENEG = ("test-renegotiation-disabled.py",)


# Our default suites (tlscore/engine/config.c, record/suites12.c) plus the
# CCM_8 ones, which tlslite-ng.json's main and ECDSA blocks turn on
# (--cipherlist aes128ccm_8 ...) and we keep off unless named.
CCM8_CIPHERS = (
    "TLS_AES_128_GCM_SHA256," "TLS_AES_256_GCM_SHA384," "TLS_CHACHA20_POLY1305_SHA256,"
    "TLS_AES_128_CCM_SHA256," "TLS_AES_128_CCM_8_SHA256,"
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256," "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,"
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256," "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,"
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384," "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,"
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256," "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,"
    "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256," "TLS_ECDHE_ECDSA_WITH_AES_128_CCM,"
    "TLS_ECDHE_ECDSA_WITH_AES_256_CCM," "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8,"
    "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8," "TLS_DHE_RSA_WITH_AES_128_CCM,"
    "TLS_DHE_RSA_WITH_AES_256_CCM," "TLS_DHE_RSA_WITH_AES_128_CCM_8,"
    "TLS_DHE_RSA_WITH_AES_256_CCM_8," "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,"
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384," "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,"
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384," "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,"
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256," "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,"
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA," "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,"
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA," "TLS_DHE_RSA_WITH_AES_128_CBC_SHA,"
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA," "TLS_RSA_WITH_AES_128_GCM_SHA256,"
    "TLS_RSA_WITH_AES_256_GCM_SHA384," "TLS_RSA_WITH_AES_128_CCM," "TLS_RSA_WITH_AES_256_CCM,"
    "TLS_RSA_WITH_AES_128_CCM_8," "TLS_RSA_WITH_AES_256_CCM_8," "TLS_RSA_WITH_AES_128_CBC_SHA256,"
    "TLS_RSA_WITH_AES_256_CBC_SHA256," "TLS_RSA_WITH_AES_128_CBC_SHA,"
    "TLS_RSA_WITH_AES_256_CBC_SHA")


def load_profiles(tlsfuzzer):
    """The profiles: each unique script name of a tlslite-ng.json block once.

    TLS 1.2 RSA (99): the non-"tls13" scripts of the main RSA block, plus
    test-SSLv3-padding and test-point-extension (SSL 3.0 block), test-lengths
    (echo block) and test-tls13-non-support (TLS 1.2-only block).
    TLS 1.3 (44): the "tls13" scripts of the main RSA block, plus
    test-tls13-rsapss-signatures (RSA-PSS block), test-tls13-post-handshake-auth
    (PHA block) and test-tls13-lengths (echo block).
    client auth (10): the non-"tls13" scripts of the --reqcert block.
    ECDSA (15): the ECDSA block's scripts plus the "tls13" scripts of the
    --reqcert block.
    """
    with open(os.path.join(tlsfuzzer, "tests", "tlslite-ng.json")) as f:
        blocks = json.load(f)

    def strip_x(args, name=""):
        if name in KEEP_X:
            return list(args)
        out, skip = [], False
        for a in args:
            if skip:
                skip = False
                continue
            if a in ("-x", "-X"):
                skip = True
                continue
            out.append(a)
        return out

    def first(block, pred):
        # The block's common_arguments come first (e.g. "-n 0": every probe,
        # or the client key of the --reqcert block); a script's own follow.
        seen, res = set(), []
        common = block.get("common_arguments", [])
        for t in block["tests"]:
            if t["name"] in seen or not pred(t["name"]):
                continue
            seen.add(t["name"])
            res.append((t["name"], common + strip_x(t.get("arguments", []), t["name"])))
        return res

    def find(pred):
        for b in blocks:
            if pred(b["server_command"]):
                return b
        raise SystemExit("tlslite-ng.json: a block is missing")

    main = blocks[0]
    reqcert = find(lambda c: "--reqcert" in c and "tests/serverX509Key.pem" in c)
    ssl3 = find(lambda c: "--ssl3" in c)
    maxver = find(lambda c: "--max-ver" in c)
    echo = find(lambda c: "--echo" in c)
    ecdsa = find(lambda c: "tests/serverECKey.pem" in c and "--reqcert" not in c)
    pss = find(lambda c: "tests/serverRSAPSSKey.pem" in c)
    pha = find(lambda c: "--request-pha" in c)
    t13 = lambda n: n.startswith("test-tls13")

    def drop_port(args):
        out, skip = [], False
        for a in args:
            if skip:
                skip = False
                continue
            if a == "-p":
                skip = True
                continue
            out.append(a)
        return out

    TLSLITE_BLOCKS.update({"rsa": main["server_command"], "rsa-noreneg": main["server_command"],
                           "rsa-tls12": maxver["server_command"], "ssl3": ssl3["server_command"],
                           "rsa-reqcert": reqcert["server_command"], "rsa-pss": pss["server_command"],
                           "echo": echo["server_command"], "ecdsa": ecdsa["server_command"],
                           "pha": pha["server_command"]})
    p = {}
    p["tls12"] = [(n, a, "rsa") for n, a in first(main, lambda n: not t13(n))]
    p["tls12"] += [(n, a, "rsa") for n, a in first(ssl3, lambda n: n in (
        "test-SSLv3-padding.py", "test-point-extension.py"))]
    p["tls12"] = [(n, a, "ssl3" if n == "test-SSLv3-padding.py" else
                   "rsa-noreneg" if n in NORENEG else s) for n, a, s in p["tls12"]]
    p["tls12"] += [(n, drop_port(a), "echo") for n, a in first(echo, lambda n: not t13(n))]
    p["tls12"] += [(n, a, "rsa-tls12") for n, a in first(maxver, t13)]
    p["tls13"] = [(n, a, "rsa") for n, a in first(main, t13)]
    p["tls13"] += [(n, a, "rsa-pss") for n, a in first(pss, t13)]
    p["tls13"] += [(n, a, "pha") for n, a in first(pha, t13)]
    p["tls13"] += [(n, drop_port(a), "echo") for n, a in first(echo, t13)]
    p["clientauth"] = [(n, a, "rsa-reqcert") for n, a in first(reqcert, lambda n: not t13(n))]
    p["ecdsa"] = [(n, a, "ecdsa") for n, a in first(ecdsa, lambda n: True)]
    p["ecdsa"] += [(n, a, "rsa-reqcert") for n, a in first(reqcert, t13)]
    return p


# What a server advertises in CertificateRequest, which test-certificate-request
# and the CertificateVerify scripts compare against (-T, -s). tlslite-ng.json
# gives tlslite-ng's own lists; each server is checked against its own. Ours:
# the engine's default signature schemes, the same list in TLS 1.3 (where
# the PKCS#1 ones stand for certificate signatures only).
OURS_LISTS = {
    "-T": "rsa_sign ecdsa_sign",
    "-s12": ("ecdsa_secp256r1_sha256 ecdsa_secp384r1_sha384 ecdsa_secp521r1_sha512 ed25519 ed448 "
             "rsa_pss_rsae_sha256 rsa_pss_rsae_sha384 rsa_pss_rsae_sha512 rsa_pss_pss_sha256 "
             "rsa_pss_pss_sha384 rsa_pss_pss_sha512 rsa_pkcs1_sha256 rsa_pkcs1_sha384 "
             "rsa_pkcs1_sha512"),
    "-s13": ("ecdsa_secp256r1_sha256 ecdsa_secp384r1_sha384 ecdsa_secp521r1_sha512 ed25519 ed448 "
             "rsa_pss_rsae_sha256 rsa_pss_rsae_sha384 rsa_pss_rsae_sha512 rsa_pss_pss_sha256 "
             "rsa_pss_pss_sha384 rsa_pss_pss_sha512 rsa_pkcs1_sha256 rsa_pkcs1_sha384 "
             "rsa_pkcs1_sha512"),
}


# Arguments of tlslite-ng.json that say tlslite-ng cannot renegotiate; every
# server measured here can (secure renegotiation, RFC 5746), so the scripts
# check it instead of its refusal.
RENEG_ARGS = {
    "test-sig-algs-renegotiation-resumption.py": {"drop0": ["--no-renego"]},
}


# Arguments of tlslite-ng.json that describe tlslite-ng's own server rather
# than what the RFCs require; for the other servers they are replaced by
# what describes that server ("drop": removed with their values).
OURS_ARGS = {
    # tlslite-ng answers one warning alert with close_notify; we allow four
    # in a row and refuse the fifth: the script's defaults describe that.
    "test-ssl-death-alert.py": {"drop": ["--alerts", "--alert-level", "--alert-description"]},
    # We prefer AES-128 to AES-256 (the script's --swap-ciphers server).
    "test-resumption-with-wrong-ciphers.py": {"add": ["--swap-ciphers"]},
    # tlslite-ng lists its groups in EncryptedExtensions after a
    # HelloRetryRequest; we do not (tc_config_set_ee_supported_groups).
    "test-record-size-limit.py": {"drop0": ["--hrr-supported-groups"]},
    # The script's default algorithms are zlib, brotli and zstd, "supported
    # by the server"; ours has zlib only (GLib's converters).
    "test-tls13-certificate-compression.py": {"add": ["--algorithms", "zlib"]},
    # We parse encrypt_then_mac (22) strictly (RFC 7366: empty) even in a
    # ClientHello that ends up TLS 1.3; the script's --exc is for such servers.
    "test-tls13-large-number-of-extensions.py": {"add": ["--exc", "22"]},
}


def own_args(args, name, table):
    rule = table.get(name)
    if not rule:
        return args
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a in rule.get("drop", []):
            skip = True
            continue
        if a in rule.get("drop0", []):
            continue
        out.append(a)
    return out + rule.get("add", [])


def own_lists(args, name, lists):
    """Replace the -T / -s values of a script by the server's own lists."""
    if not lists:
        return args
    out = list(args)
    for i, a in enumerate(out[:-1]):
        if a == "-T" and "-T" in lists:
            out[i + 1] = lists["-T"]
        elif a == "-s":
            key = "-s13" if name.startswith("test-tls13") else "-s12"
            if key in lists:
                out[i + 1] = lists[key]
    return out


def ocsp_response(tlsfuzzer, outdir):
    """A "good" OCSP response for tlsfuzzer's RSA server certificate, signed
    by that self-signed certificate's own key (openssl ocsp), so every server
    can staple it for test-ocsp-stapling. None if openssl fails."""
    cert = os.path.join(tlsfuzzer, "tests", "serverX509Cert.pem")
    key = os.path.join(tlsfuzzer, "tests", "serverX509Key.pem")
    d = os.path.join(outdir, "ocsp")
    os.makedirs(d, exist_ok=True)
    resp = os.path.join(d, "resp.der")
    try:
        q = lambda *a: subprocess.run(["openssl", "x509", "-in", cert, "-noout"] + list(a),
                                      check=True, capture_output=True, text=True).stdout
        serial = q("-serial").strip().split("=", 1)[1]
        subject = q("-subject", "-nameopt", "compat").strip().split("=", 1)[1].strip()
        with open(os.path.join(d, "index.txt"), "w") as f:
            f.write("V\t491231235959Z\t\t%s\tunknown\t%s\n" % (serial, subject))
        subprocess.run(["openssl", "ocsp", "-issuer", cert, "-cert", cert, "-no_nonce",
                        "-reqout", os.path.join(d, "req.der")], check=True, capture_output=True)
        subprocess.run(["openssl", "ocsp", "-index", os.path.join(d, "index.txt"), "-rsigner", cert,
                        "-rkey", key, "-CA", cert, "-reqin", os.path.join(d, "req.der"),
                        "-respout", resp, "-ndays", "7"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError, IndexError):
        return None
    return resp


OCSP_RESPONSE = None  # main() fills it: the DER file every RSA setup staples


def server_command(impl, setup, port, tlsfuzzer, gtls_tool, extra):
    t = lambda f: os.path.join(tlsfuzzer, "tests", f)
    rsa = (t("serverX509Cert.pem"), t("serverX509Key.pem"))
    ec = [(t("serverECCert.pem"), t("serverECKey.pem")),
          (t("serverP384ECCert.pem"), t("serverP384ECKey.pem")),
          (t("serverP521ECCert.pem"), t("serverP521ECKey.pem"))]
    pss = (t("serverRSAPSSCert.pem"), t("serverRSAPSSKey.pem"))
    certs = {"rsa": [rsa], "rsa-tls12": [rsa], "ssl3": [rsa], "rsa-reqcert": [rsa], "echo": [rsa], "pha": [rsa],
             "rsa-noreneg": [rsa],
             "rsa-pss": [pss], "ecdsa": ec}[setup]
    if impl == "ours":
        cmd = [gtls_tool, "server", "localhost:%d" % port]
        for c, k in certs:
            cmd += ["--cert", c, "--key", k]
        if setup != "echo":
            cmd += ["--http", "--alpn", "http/1.1"]
        if setup == "rsa-reqcert":
            cmd.append("--request-client-cert")
        if setup == "pha":
            # tlslite-ng's --request-pha: a CertificateRequest after the handshake
            cmd.append("--request-pha" if not OLD_TOOL else "--request-client-cert")
        if setup == "rsa-tls12":
            cmd += ["--max-version", "tls1.2", "--min-version", "tls1.0"]
        elif setup == "ssl3":
            cmd += ["--min-version", "ssl3.0"]
        else:
            # tlslite-ng, gnutls-serv and s_server all accept TLS 1.0 and 1.1.
            cmd += ["--min-version", "tls1.0"]
        if setup in ("rsa", "rsa-tls12", "ssl3", "rsa-reqcert", "echo", "ecdsa") and not OLD_TOOL:
            # gnutls-serv and s_server allow secure renegotiation by default.
            cmd.append("--renegotiation")
        if setup in ("rsa", "ecdsa", "rsa-noreneg") and not OLD_TOOL:
            cmd += ["--ciphers", CCM8_CIPHERS]
        if setup == "rsa" and OCSP_RESPONSE and not OLD_TOOL:
            cmd += ["--ocsp-response", OCSP_RESPONSE]
        if LEGACY_SIGS and not OLD_TOOL:
            cmd.append("--legacy-signatures")
        if CERT_COMPRESSION:
            # tlslite-ng compresses certificates (RFC 8879) by default
            cmd.append("--cert-compression")
        if not OLD_TOOL:
            # The references resume sessions without the extended master
            # secret (RFC 7627 §5.3: SHOULD NOT); tlsfuzzer's clients rarely
            # offer it.
            cmd.append("--resume-without-ems")
        return cmd + extra
    if impl == "gnutls":
        cmd = ["gnutls-serv", "-p", str(port)]
        if setup not in ("rsa-reqcert", "pha"):
            cmd.append("-a")  # no CertificateRequest (it conflicts with -r)
        for c, k in certs:
            cmd += ["--x509certfile", c, "--x509keyfile", k]
        cmd.append("--echo" if setup == "echo" else "--http")
        if setup != "echo":
            cmd += ["--alpn", "http/1.1"]
        if setup in ("rsa-reqcert", "pha"):
            cmd.append("-r")
        if setup == "rsa" and OCSP_RESPONSE:
            cmd += ["--ocsp-response", OCSP_RESPONSE]
        # TLS 1.0 and 1.1 on, as in the other setups.
        cmd.append("--priority=NORMAL:+VERS-TLS1.1:+VERS-TLS1.0" +
                   (":-VERS-TLS1.3" if setup == "rsa-tls12" else ""))
        return cmd + extra
    if impl == "openssl":
        cmd = ["openssl", "s_server", "-accept", str(port), "-quiet"]
        cmd += ["-cert", certs[0][0], "-key", certs[0][1]]
        for c, k in certs[1:]:
            cmd += ["-dcert", c, "-dkey", k]
        if setup != "echo":
            cmd += ["-www", "-alpn", "http/1.1"]
        if setup in ("rsa-reqcert", "pha"):
            cmd += ["-verify", "1"]
        if setup == "rsa-tls12":
            cmd.append("-no_tls1_3")
        if setup == "rsa-noreneg":
            cmd.append("-no_renegotiation")
        if setup == "rsa" and OCSP_RESPONSE:
            cmd += ["-status_file", OCSP_RESPONSE]
        # TLS 1.0 and 1.1 need security level 0 in OpenSSL 3 (SHA-1 MACs).
        cmd += ["-cipher", "DEFAULT:@SECLEVEL=0"]
        return cmd + extra
    if impl == "tlslite":
        # tlslite-ng's tls.py with the server command of the tlslite-ng.json
        # block each setup is named after (the settings its CI runs).
        cmd = [a.replace("{python}", TLSLITE_PYTHON).replace("{command}", TLSLITE_TLS_PY)
               for a in TLSLITE_BLOCKS[setup]]
        return [a if a != "localhost:4433" and a != "localhost:4434" else "localhost:%d" % port
                for a in cmd] + extra
    raise SystemExit("unknown implementation " + impl)


def wait_open(port, proc, secs=20):
    end = time.time() + secs
    while time.time() < end:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


def reply_size(port):
    """Bytes the server answers to test-record-size-limit's request."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            with ctx.wrap_socket(s, server_hostname="localhost") as t:
                t.sendall(b"GET /tests/test_file.txt HTTP/1.0\r\n\r\n")
                data = b""
                while True:
                    try:
                        b = t.recv(65536)
                    except (ssl.SSLError, OSError):
                        break
                    if not b:
                        break
                    data += b
                return str(len(data))
    except OSError:
        return "0"


def run_script(args, name, sargs, port, outdir):
    env = dict(os.environ)
    env["PYTHONPATH"] = ".:" + os.path.abspath(args.tlslite)
    cmd = [args.python, "-u", os.path.join("scripts", name), "-p", str(port)] + sargs
    log = os.path.join(outdir, "%s-%s.log" % (name[:-3], abs(hash(tuple(sargs))) % 1000))
    t0 = time.time()
    with open(log, "w") as f:
        f.write(" ".join(cmd) + "\n")
        f.flush()
        p = subprocess.Popen(cmd, cwd=args.tlsfuzzer, env=env, stdout=f, stderr=subprocess.STDOUT,
                             start_new_session=True)
        try:
            rc = p.wait(timeout=args.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            rc = "timeout"
    return name, rc, time.time() - t0, log


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tlsfuzzer", required=True)
    ap.add_argument("--tlslite", required=True)
    ap.add_argument("--impl", choices=("ours", "gnutls", "openssl", "tlslite"), default="ours")
    # The engine driver (the pre-GIO gtls-tool): GIO connections cannot
    # renegotiate or serve several certificates, the engine can.
    ap.add_argument("--gtls-tool", default=os.path.join(HERE, "..", "build", "tests", "tlscore-peer",
                                                        "tlscore-peer"),
                    help="our server binary (default: build/tests/tlscore-peer/tlscore-peer)")
    ap.add_argument("--profile", action="append",
                    choices=("tls12", "tls13", "clientauth", "ecdsa"))
    ap.add_argument("--only", action="append", help="run only these script names")
    ap.add_argument("--port", type=int, default=4433)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--out", default="tlsfuzzer-results")
    ap.add_argument("--server-opt", action="append", default=[],
                    help="SETUP=OPTION: add OPTION to the server command of SETUP (or all)")
    ap.add_argument("--cert-types", help="-T list the server sends (ours: %s)" % OURS_LISTS["-T"])
    ap.add_argument("--sigalgs12", help="-s list for TLS 1.2 CertificateRequest scripts")
    ap.add_argument("--sigalgs13", help="-s list for TLS 1.3 CertificateRequest scripts")
    ap.add_argument("--no-cert-compression", action="store_true",
                    help="ours without --cert-compression (RFC 8879, zlib)")
    ap.add_argument("--strict-signatures", action="store_true",
                    help="ours without --legacy-signatures (SHA-1/SHA-224 refused, our default)")
    ap.add_argument("--old-tool", action="store_true",
                    help="the gtls-tool predates --renegotiation (before/after comparisons)")
    args = ap.parse_args()
    global OLD_TOOL, TLSLITE_TLS_PY, TLSLITE_PYTHON, OCSP_RESPONSE, LEGACY_SIGS, CERT_COMPRESSION
    LEGACY_SIGS = not args.strict_signatures
    CERT_COMPRESSION = not args.no_cert_compression and not args.old_tool
    TLSLITE_PYTHON = args.python
    OLD_TOOL = args.old_tool
    TLSLITE_TLS_PY = os.path.join(os.path.abspath(args.tlslite), "scripts", "tls.py")
    args.tlsfuzzer = os.path.abspath(args.tlsfuzzer)
    profiles = load_profiles(args.tlsfuzzer)
    os.makedirs(args.out, exist_ok=True)
    OCSP_RESPONSE = ocsp_response(args.tlsfuzzer, os.path.abspath(args.out))
    wanted = args.profile or ["tls12", "tls13", "clientauth", "ecdsa"]
    os.makedirs(args.out, exist_ok=True)
    lists = dict(OURS_LISTS) if args.impl == "ours" else {}
    if args.impl == "ours" and LEGACY_SIGS and not OLD_TOOL:
        # the CertificateRequest lists the legacy pairs last
        lists["-s12"] += " " + LEGACY12
    for key, val in (("-T", args.cert_types), ("-s12", args.sigalgs12), ("-s13", args.sigalgs13)):
        if val:
            lists[key] = val
    results = {}
    for prof in wanted:
        bysetup = {}
        for name, sargs, setup in profiles[prof]:
            if args.only and name not in args.only:
                continue
            bysetup.setdefault(setup, []).append((name, sargs))
        for setup, scripts in bysetup.items():
            extra = []
            for o in args.server_opt:
                s, _, opt = o.partition("=")
                if s in (setup, "all"):
                    extra += opt.split()
            cmd = server_command(args.impl, setup, args.port, args.tlsfuzzer,
                                 os.path.abspath(args.gtls_tool), extra)
            slog = open(os.path.join(args.out, "server-%s-%s.log" % (prof, setup)), "w")
            slog.write(" ".join(cmd) + "\n")
            slog.flush()
            senv = dict(os.environ)
            senv["PYTHONPATH"] = os.path.abspath(args.tlslite)  # tls.py's own library
            srv = subprocess.Popen(cmd, cwd=args.tlsfuzzer, stdin=subprocess.PIPE, env=senv,
                                   stdout=slog, stderr=subprocess.STDOUT)
            try:
                if not wait_open(args.port, srv):
                    print("server did not start: " + " ".join(cmd), file=sys.stderr)
                    for name, _ in scripts:
                        results[(prof, name)] = ("no-server", 0, "")
                    continue
                size = reply_size(args.port)
                jobs = []
                with ThreadPoolExecutor(max_workers=args.jobs) as ex:
                    for name, sargs in scripts:
                        sargs = [size if a == "{expected_size}" else a for a in sargs]
                        sargs = own_lists(sargs, name, lists)
                        if args.impl != "tlslite":  # it cannot renegotiate
                            sargs = own_args(sargs, name, RENEG_ARGS)
                        if args.impl == "ours":
                            sargs = own_args(sargs, name, OURS_ARGS)
                        jobs.append(ex.submit(run_script, args, name, sargs, args.port, args.out))
                    for j in jobs:
                        name, rc, dt, log = j.result()
                        results[(prof, name)] = (rc, dt, log)
                        print("%-10s %-60s %-8s %6.1fs" % (prof, name,
                              "pass" if rc == 0 else "FAIL(%s)" % rc, dt), flush=True)
            finally:
                srv.terminate()
                try:
                    srv.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    srv.kill()
                    srv.wait()
                slog.close()
    summary = {}
    for (prof, name), (rc, dt, log) in results.items():
        s = summary.setdefault(prof, [0, 0, []])
        if rc == 0:
            s[0] += 1
        else:
            s[1] += 1
            s[2].append(name)
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump({p: {"passed": s[0], "failed": s[1], "failing": sorted(s[2])}
                   for p, s in summary.items()}, f, indent=1)
    for p, s in summary.items():
        print("%-10s %d passed / %d failed" % (p, s[0], s[1]))


if __name__ == "__main__":
    main()
