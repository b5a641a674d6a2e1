#!/usr/bin/env python3
"""Write the seed corpora for the handshake-message fuzz targets into fuzz/corpus/<target>/.

Seeds are RFC 8448 trace messages plus hand-built messages covering every
extension, message form and key exchange. Input formats (see README.md):
  fuzz-client-hello, fuzz-server-hello: the message body (no 4-byte header)
  fuzz-certificate-msg: 1 variant byte (odd: TLS 1.3 form) + Certificate body
  fuzz-extensions: 1 context byte (tc_ext_ctx) + extension block contents
  fuzz-handshake-msgs: type byte + variant byte + body
Run from anywhere: python3 fuzz/make-seeds.py
"""
import hashlib
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- RFC 8448 messages (with handshake headers) ----
S3_CH = bytes.fromhex(
    "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7"
    "000006130113031302010000910000000b0009000006736572766572ff01000100000a001400"
    "12001d0017001800190100010101020103010400230000003300260024001d002099381de560"
    "e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c002b0003020304000d0020"
    "001e040305030603020308040805080604010501060102010402050206020202002d00020101"
    "001c00024001")
S3_SH = bytes.fromhex(
    "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e26928"
    "00130100002e00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1"
    "dd69b1b04e751f0f002b00020304")
S3_EE = bytes.fromhex(
    "080000240022000a00140012001d00170018001901000101010201030104001c000240010000"
    "0000")
S3_CERT = bytes.fromhex(
    "0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d01"
    "010b0500300e310c300a06035504031303727361301e170d3136303733303031323335395a17"
    "0d3236303733303031323335395a300e310c300a0603550403130372736130819f300d06092a"
    "864886f70d010101050003818d0030818902818100b4bb498f8279303d980836399b36c6988c"
    "0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced"
    "43120998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0"
    "461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f020301"
    "0001a31a301830090603551d1304023000300b0603551d0f0404030205a0300d06092a864886"
    "f70d01010b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7"
    "a594365417f2eae8f8a58c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67"
    "f2dbf102702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2"
    "f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de10000")
S3_CV = bytes.fromhex(
    "0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8"
    "477b0b7abc90db78e2d33a5c141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d"
    "4859ee511f602957b15411ac027671459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be"
    "152a3da5043e063dda65cdf5aea20d53dfacd42f74f3")
S3_SFIN = bytes.fromhex(
    "140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718")
S3_NST = bytes.fromhex(
    "040000c90000001efad6aac502000000b22c035d829359ee5ff7af4ec900000000262a6494dc"
    "486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a982117283"
    "f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a3664d4e6da4d29ee0"
    "3725a6a4dafcd0fc67d2aea70529513e3da2677fa5906c5b3f7d8f92f228bda40dda721470f9"
    "fbf297b5aea617646fac5c03272e970727c621a79141ef5f7de6505e5bfbc388e93343694093"
    "934ae4d3570008002a000400000400")
S4_CH = bytes.fromhex(
    "010001fc03031bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc419d7876487d95"
    "000006130113031302010001cd0000000b0009000006736572766572ff01000100000a001400"
    "12001d00170018001901000101010201030104003300260024001d0020e4ffb68ac05f8d96c9"
    "9da26698346c6be16482badddafe051a66b4f18d668f0b002a0000002b0003020304000d0020"
    "001e040305030603020308040805080604010501060102010402050206020202002d00020101"
    "001c000240010015005700000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000002900dd00b800b22c035d829359ee5ff7"
    "af4ec900000000262a6494dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785a"
    "bc55cd226097a3a982117283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce1450"
    "77d454a3664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2677fa5906c5b3f7d"
    "8f92f228bda40dda721470f9fbf297b5aea617646fac5c03272e970727c621a79141ef5f7de6"
    "505e5bfbc388e93343694093934ae4d357fad6aacb0021203add4fb2d8fdf822a0ca3cf7678e"
    "f5e88dae990141c5924d57bb6fa31b9e5f9d")
S4_SH = bytes.fromhex(
    "0200005c03033ccfd2dec890222763472ae8136777c9d7358777bb66e91ea5122495f559ea2d"
    "00130100003400290002000000330024001d0020121761ee42c333e1b9e77b60dd57c2053cd9"
    "4512ab47f115e86eff50942cea31002b00020304")
S4_EE = bytes.fromhex(
    "080000280026000a00140012001d00170018001901000101010201030104001c000240010000"
    "0000002a0000")


def u8(v): return struct.pack(">B", v)
def u16(v): return struct.pack(">H", v)
def u24(v): return struct.pack(">I", v)[1:]
def u32(v): return struct.pack(">I", v)
def v8(b): return u8(len(b)) + b
def v16(b): return u16(len(b)) + b
def v24(b): return u24(len(b)) + b
def ext(t, body): return u16(t) + v16(body)
def u16list(*vals): return b"".join(u16(v) for v in vals)


def body(msg):
    return msg[4:]


HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")

# ---- extension blocks per context ----
CH_EXTS = b"".join([
    ext(0, v16(u8(0) + v16(b"example.com"))),
    ext(1, u8(2)),
    ext(5, u8(1) + v16(b"") + v16(b"")),
    ext(10, v16(u16list(0x1d, 0x17, 0x18, 0x100))),
    ext(11, v8(b"\x00")),
    ext(12, v8(b"alice")),
    ext(13, v16(u16list(0x0804, 0x0403, 0x0807))),
    ext(16, v16(v8(b"h2") + v8(b"http/1.1"))),
    ext(21, b"\x00" * 8),
    ext(22, b""),
    ext(23, b""),
    ext(28, u16(16385)),
    ext(35, b"session ticket"),
    ext(42, b""),
    ext(43, v8(u16list(0x0304, 0x0303))),
    ext(44, v16(b"cookie")),
    ext(45, v8(b"\x01")),
    ext(47, v16(v16(b"0\x03abc"))),
    ext(49, b""),
    ext(50, v16(u16list(0x0804))),
    ext(51, v16(u16(0x1d) + v16(b"\x11" * 32) + u16(0x17) + v16(b"\x04" + b"\x22" * 64))),
    ext(0xff01, v8(b"")),
    ext(0x0a0a, b""),
    ext(41, v16(v16(b"psk identity") + u32(12345)) + v16(v8(b"\x33" * 32))),
])
SH12_EXTS = b"".join([
    ext(0, b""), ext(1, u8(4)), ext(5, b""), ext(11, v8(b"\x00")),
    ext(16, v16(v8(b"http/1.1"))), ext(22, b""), ext(23, b""), ext(28, u16(512)),
    ext(35, b""), ext(0xff01, v8(b"\x01" * 24)),
])
SH13_EXTS = ext(43, u16(0x0304)) + ext(51, u16(0x1d) + v16(b"\x44" * 32)) + ext(41, u16(0))
HRR_EXTS = ext(43, u16(0x0304)) + ext(51, u16(0x17)) + ext(44, v16(b"hrr cookie"))
EE_EXTS = b"".join([
    ext(0, b""), ext(1, u8(1)), ext(10, v16(u16list(0x1d))), ext(16, v16(v8(b"h2"))),
    ext(42, b""), ext(28, u16(16385)), ext(0x1234, b"unknown"),
])
CR_EXTS = b"".join([
    ext(13, v16(u16list(0x0804, 0x0403))), ext(50, v16(u16list(0x0401))),
    ext(47, v16(v16(b"0\x03abc") + v16(b"de"))), ext(5, u8(1) + v16(b"") + v16(b"")),
    ext(48, v16(v8(b"\x55\x1d\x25") + v16(b"\x30\x00"))),
])
CT_EXTS = ext(5, u8(1) + v24(b"ocsp response")) + ext(18, b"sct list")
NST_EXTS = ext(42, u32(16384))

CTX = {"ch": 0, "sh": 1, "hrr": 2, "ee": 3, "cr": 4, "ct": 5, "nst": 6}


def client_hello(exts, version=0x0303, sid=b"\x17" * 32, suites=(0x1301, 0x1302, 0xc02f)):
    b = u16(version) + b"\x42" * 32 + v8(sid) + v16(u16list(*suites)) + v8(b"\x00")
    return b if exts is None else b + v16(exts)


def server_hello(exts, random=b"\x35" * 32, suite=0x1301, sid=b""):
    b = u16(0x0303) + random + v8(sid) + u16(suite) + u8(0)
    return b if exts is None else b + v16(exts)


CERT_DER = b"\x30\x82\x01\xac" + b"\x00" * 0x1ac  # shape only


def certificate13(entries, ctx=b""):
    return v8(ctx) + v24(b"".join(v24(c) + v16(e) for c, e in entries))


def certificate12(certs):
    return v24(b"".join(v24(c) for c in certs))


# ---- per-target seeds ----
seeds = {
    "fuzz-client-hello": [
        body(S3_CH), body(S4_CH),
        client_hello(CH_EXTS),
        client_hello(None, version=0x0300, sid=b"", suites=(0x000a, 0x002f)),
        client_hello(b"", sid=b""),
        client_hello(ext(0, v16(u8(0) + v16(b"a"))) + ext(51, v16(b""))),
    ],
    "fuzz-server-hello": [
        body(S3_SH), body(S4_SH),
        server_hello(SH13_EXTS),
        server_hello(SH12_EXTS, suite=0xc02f, sid=b"\x01" * 32),
        server_hello(HRR_EXTS, random=HRR_RANDOM),
        server_hello(None, suite=0x002f),
    ],
    "fuzz-certificate-msg": [
        b"\x01" + body(S3_CERT),
        b"\x01" + certificate13([(b"\x30\x03\x02\x01\x01", CT_EXTS), (b"\x30\x00", b"")], b"ctx"),
        b"\x01" + certificate13([]),
        b"\x00" + certificate12([CERT_DER, b"\x30\x03\x02\x01\x02"]),
        b"\x00" + certificate12([]),
    ],
    "fuzz-extensions": [
        u8(CTX["ch"]) + CH_EXTS,
        u8(CTX["ch"]) + body(S3_CH)[2 + 32 + 1 + 2 + 6 + 2 + 2:],
        u8(CTX["sh"]) + SH12_EXTS,
        u8(CTX["sh"]) + SH13_EXTS,
        u8(CTX["hrr"]) + HRR_EXTS,
        u8(CTX["ee"]) + EE_EXTS,
        u8(CTX["ee"]) + body(S3_EE)[2:],
        u8(CTX["cr"]) + CR_EXTS,
        u8(CTX["cr"]) + ext(13, v16(u16list(0x0804))) + ext(5, b""),
        u8(CTX["ct"]) + CT_EXTS,
        u8(CTX["nst"]) + NST_EXTS,
        # an empty key_exchange (illegal_parameter) and an ffdhe2048 share
        u8(CTX["ch"]) + ext(51, v16(u16(0x1d) + v16(b""))),
        u8(CTX["ch"]) + ext(51, v16(u16(0x100) + v16(b"\x00" + b"\x42" * 255))),
        # compress_certificate (RFC 8879): zlib, brotli, zstd offered / accepted
        u8(CTX["ch"]) + ext(27, v8(u16list(1, 2, 3))),
        u8(CTX["cr"]) + ext(13, v16(u16list(0x0804))) + ext(27, v8(u16list(1))),
    ],
}

# fuzz-compressed-cert: CompressedCertificate bodies; the target's stand-in
# codec "decompresses" zlib (1) and zstd (3) by copying, so a body whose
# compressed bytes are a Certificate reaches the Certificate parser.
def compressed(alg, plain, declared=None, tail=b""):
    return u16(alg) + u24(len(plain) if declared is None else declared) + v24(plain) + tail


CC_PLAIN = certificate13([(b"\x30\x03\x02\x01\x01", b""), (CERT_DER, b"")])
seeds["fuzz-compressed-cert"] = [
    compressed(1, CC_PLAIN),
    compressed(3, certificate13([])),
    compressed(1, certificate13([(b"\x30\x00", CT_EXTS)])),
    compressed(2, CC_PLAIN),                       # brotli: not offered
    compressed(1, CC_PLAIN, declared=len(CC_PLAIN) + 1),  # length mismatch
    compressed(1, CC_PLAIN, declared=0xffffff),     # over the limit
    compressed(1, CC_PLAIN, tail=b"\x00\x00"),      # trailing bytes
    u16(1) + u24(4) + u24(0),                      # empty message
]

# fuzz-handshake-msgs: (type, variant, body). Variants as fuzz-handshake-msgs.c decodes them.
KX = {"rsa": 0, "dhe": 1, "ecdhe": 2, "psk": 3, "dhe_psk": 4, "ecdhe_psk": 5, "rsa_psk": 6, "srp": 7}


def ske_variant(kx, signed, vidx):  # vidx: 0 SSL3, 1 TLS1.0, 2 TLS1.2, 3 TLS1.3
    return KX[kx] | (8 if signed else 0) | (vidx << 4)


def cke_variant(kx, vidx):  # vidx: 0 SSL3, 1 TLS1.0, 2 TLS1.1, 3 TLS1.2
    return KX[kx] | (vidx << 3)


DH = v16(b"\xff" * 16) + v16(b"\x02") + v16(b"\x12\x34")
EC = u8(3) + u16(0x17) + v8(b"\x04" + b"\x55" * 64)
SRP = v16(b"\xee" * 16) + v16(b"\x02") + v8(b"salt") + v16(b"\x77" * 16)
SIG12 = u16(0x0804) + v16(b"\x99" * 64)
SIG10 = v16(b"\x99" * 36)
HINT = v16(b"hint")

hs = [
    (1, 0, body(S3_CH)), (1, 0, client_hello(CH_EXTS)),
    (2, 0, body(S3_SH)), (2, 0, server_hello(HRR_EXTS, random=HRR_RANDOM)),
    (2, 0, server_hello(SH12_EXTS, suite=0xc02f)),
    (8, 0, body(S3_EE)), (8, 0, v16(EE_EXTS)),
    (11, 1, body(S3_CERT)), (11, 0, certificate12([b"\x30\x00"])),
    (13, 0, v8(b"") + v16(CR_EXTS)),
    (13, 0, v8(b"") + v16(ext(13, v16(u16list(0x0804, 0x0403))) + ext(5, b""))),
    (13, 1, v8(b"\x01\x40") + v16(u16list(0x0401, 0x0403)) + v16(v16(b"0\x03abc"))),
    (13, 2, v8(b"\x01") + v16(b"")),
    (15, 1, body(S3_CV)), (15, 0, v16(b"\x88" * 36)),
    (20, 1, body(S3_SFIN)), (20, 0, b"\x01" * 12), (20, 2, b"\x02" * 36),
    (4, 1, body(S3_NST)), (4, 0, u32(300) + v16(b"rfc 5077 ticket")),
    (4, 1, u32(7200) + u32(1) + v8(b"\x00") + v16(b"t") + v16(NST_EXTS)),
    (24, 0, b"\x00"), (24, 0, b"\x01"),
    (5, 0, b""), (14, 0, b""), (0, 0, b""),
    (22, 0, u8(1) + v24(b"ocsp response")),
    (12, ske_variant("ecdhe", True, 2), EC + SIG12),
    (12, ske_variant("dhe", True, 1), DH + SIG10),
    (12, ske_variant("dhe", True, 2), DH + SIG12),
    (12, ske_variant("psk", False, 2), HINT),
    (12, ske_variant("dhe_psk", False, 2), HINT + DH),
    (12, ske_variant("ecdhe_psk", False, 2), HINT + EC),
    (12, ske_variant("rsa_psk", False, 2), HINT),
    (12, ske_variant("srp", False, 2), SRP),
    (12, ske_variant("srp", True, 2), SRP + SIG12),
    (16, cke_variant("rsa", 3), v16(b"\x66" * 128)),
    (16, cke_variant("rsa", 0), b"\x66" * 128),
    (16, cke_variant("dhe", 3), v16(b"\x12" * 32)),
    (16, cke_variant("ecdhe", 3), v8(b"\x21" * 32)),
    (16, cke_variant("psk", 3), v16(b"identity")),
    (16, cke_variant("dhe_psk", 3), v16(b"identity") + v16(b"\x12" * 32)),
    (16, cke_variant("ecdhe_psk", 3), v16(b"identity") + v8(b"\x21" * 32)),
    (16, cke_variant("rsa_psk", 3), v16(b"identity") + v16(b"\x66" * 128)),
    (16, cke_variant("srp", 3), v16(b"\x45" * 64)),
]
seeds["fuzz-handshake-msgs"] = [u8(t) + u8(v) + b for t, v, b in hs]


def main():
    for target, inputs in seeds.items():
        d = os.path.join(HERE, "corpus", target)
        os.makedirs(d, exist_ok=True)
        for data in inputs:
            # Content-addressed names, like libFuzzer's, so reruns are idempotent.
            name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print(f"{target}: {len(inputs)} seeds")


if __name__ == "__main__":
    main()
