#!/usr/bin/env python3
"""Writes record12-vectors.h: TLS 1.2-and-older records and key blocks built
with Python's hashlib/hmac and the 'cryptography' package (OpenSSL), i.e.
independently of tlscore and nettle. Run from tests/unit/."""
import hashlib, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
try:
    from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4, TripleDES
except ImportError:  # older cryptography
    ARC4, TripleDES = algorithms.ARC4, algorithms.TripleDES

KEY = bytes((0x11 * (i + 1) + 3) & 0xff for i in range(32))
IV = bytes(0xa0 + i for i in range(16))
MACKEY = bytes(0x5a ^ ((i * 7) & 0xff) for i in range(48))

def hdr(seq, typ, ver, n):
    return seq.to_bytes(8, 'big') + bytes([typ]) + ver.to_bytes(2, 'big') + n.to_bytes(2, 'big')

def rec(typ, ver, body):
    return bytes([typ]) + ver.to_bytes(2, 'big') + len(body).to_bytes(2, 'big') + body

def cbc_enc(alg, key, iv, data):
    e = Cipher(alg(key), modes.CBC(iv)).encryptor()
    return e.update(data) + e.finalize()

def tls_pad(n, bl):
    p = bl - 1 - n % bl
    return bytes([p]) * (p + 1)

def ssl3_mac(h, key, seq, typ, data):
    pl = 48 if h == 'md5' else 40
    inner = hashlib.new(h, key + b'\x36' * pl + seq.to_bytes(8, 'big') + bytes([typ]) +
                        len(data).to_bytes(2, 'big') + data).digest()
    return hashlib.new(h, key + b'\x5c' * pl + inner).digest()

def p_hash(h, secret, seed, n):
    out, a = b'', seed
    while len(out) < n:
        a = hmac.new(secret, a, h).digest()
        out += hmac.new(secret, a + seed, h).digest()
    return out[:n]

def prf12(h, secret, label, seed, n):
    return p_hash(h, secret, label + seed, n)

def prf10(secret, label, seed, n):
    half = (len(secret) + 1) // 2
    a = p_hash('md5', secret[:half], label + seed, n)
    b = p_hash('sha1', secret[len(secret) - half:], label + seed, n)
    return bytes(x ^ y for x, y in zip(a, b))

def ssl3_kb(secret, seed, n):
    out, i = b'', 0
    while len(out) < n:
        lab = bytes([ord('A') + i]) * (i + 1)
        out += hashlib.md5(secret + hashlib.sha1(lab + secret + seed).digest()).digest()
        i += 1
    return out[:n]

V = []
def emit(name, b):
    rows = [', '.join('0x%02x' % x for x in b[i:i + 12]) for i in range(0, len(b), 12)]
    V.append('static const uint8_t %s[%d] = {\n    %s};' % (name, len(b), ',\n    '.join(rows)))

msg = b'independent record vector'
# TLS 1.2 AES-128-GCM, seq 1, application data (RFC 5288)
seq = 1
nonce_explicit = seq.to_bytes(8, 'big')
ct = AESGCM(KEY[:16]).encrypt(IV[:4] + nonce_explicit, msg, hdr(seq, 23, 0x0303, len(msg)))
emit('v_gcm128_seq1', rec(23, 0x0303, nonce_explicit + ct))
# TLS 1.2 ChaCha20-Poly1305, seq 1 (RFC 7905)
nonce = bytes(a ^ b for a, b in zip(IV[:12], bytes(4) + seq.to_bytes(8, 'big')))
ct = ChaCha20Poly1305(KEY).encrypt(nonce, msg, hdr(seq, 23, 0x0303, len(msg)))
emit('v_chacha_seq1', rec(23, 0x0303, ct))
# TLS 1.2 AES-256-CBC-SHA384 MtE, seq 0, explicit IV, 200 bytes of padding
iv = bytes(range(0x30, 0x40))
mac = hmac.new(MACKEY, hdr(0, 22, 0x0303, len(msg)) + msg, 'sha384').digest()
pt = msg + mac
pad = 200 + (16 - (len(pt) + 201) % 16) % 16
pt += bytes([pad]) * (pad + 1)
emit('v_cbc256_sha384_pad', rec(22, 0x0303, iv + cbc_enc(algorithms.AES, KEY, iv, pt)))
# TLS 1.0 3DES-SHA1, two records chained from the key block IV
out, chain = b'', IV[:8]
for seq, m in enumerate([b'first', b'second record']):
    mac = hmac.new(MACKEY[:20], hdr(seq, 23, 0x0301, len(m)) + m, 'sha1').digest()
    pt = m + mac + tls_pad(len(m) + 20, 8)
    c = cbc_enc(TripleDES, KEY[:24], chain, pt)
    chain = c[-8:]
    out += rec(23, 0x0301, c)
emit('v_3des_tls10_two', out)
# TLS 1.2 EtM AES-128-CBC-SHA256 (RFC 7366), seq 0
iv = bytes(range(0x40, 0x50))
c = iv + cbc_enc(algorithms.AES, KEY[:16], iv, msg + tls_pad(len(msg), 16))
mac = hmac.new(MACKEY[:32], hdr(0, 23, 0x0303, len(c)) + c, 'sha256').digest()
emit('v_etm_aes128_sha256', rec(23, 0x0303, c + mac))
# SSL 3.0 AES-128-CBC-SHA1 with arbitrary padding bytes, seq 0
mac = ssl3_mac('sha1', MACKEY[:20], 0, 23, msg)
pt = msg + mac
pad = (16 - (len(pt) + 1) % 16) % 16
pt += bytes(range(0xe0, 0xe0 + pad)) + bytes([pad])
emit('v_ssl3_aes128_sha1', rec(23, 0x0300, cbc_enc(algorithms.AES, KEY[:16], IV, pt)))
# SSL 3.0 RC4-MD5, two records (one keystream)
e = Cipher(ARC4(KEY[:16]), mode=None).encryptor()
out = b''
for seq, m in enumerate([b'rc4 one', b'rc4 two!']):
    out += rec(23, 0x0300, e.update(m + ssl3_mac('md5', MACKEY[:16], seq, 23, m)))
emit('v_rc4_md5_ssl3_two', out)
# TLS 1.2 RC4-SHA1, seq 0
e = Cipher(ARC4(KEY[:16]), mode=None).encryptor()
mac = hmac.new(MACKEY[:20], hdr(0, 23, 0x0303, len(msg)) + msg, 'sha1').digest()
emit('v_rc4_sha1_tls12', rec(23, 0x0303, e.update(msg + mac)))

# Key blocks: master = 0..47 * 3, client random 0xc0.., server random 0x50..
master = bytes((i * 3) & 0xff for i in range(48))
cr = bytes(0xc0 + i for i in range(32))
sr = bytes(0x50 + i for i in range(32))
emit('kb_master', master)
emit('kb_client_random', cr)
emit('kb_server_random', sr)
# TLS 1.2 SHA-384 suite with AES-256-CBC-SHA384: mac 48, key 32, iv 0
emit('kb_tls12_sha384', prf12('sha384', master, b'key expansion', sr + cr, 2 * (48 + 32)))
# TLS 1.2 SHA-256 GCM-128: key 16, salt 4
emit('kb_tls12_sha256_gcm', prf12('sha256', master, b'key expansion', sr + cr, 2 * (16 + 4)))
# TLS 1.0 AES-128-CBC-SHA: mac 20, key 16, iv 16
emit('kb_tls10', prf10(master, b'key expansion', sr + cr, 2 * (20 + 16 + 16)))
# SSL 3.0 3DES-SHA: mac 20, key 24, iv 8
emit('kb_ssl3', ssl3_kb(master, sr + cr, 2 * (20 + 24 + 8)))

with open('record12-vectors.h', 'w') as f:
    f.write('/* Generated by make-record12-vectors.py (Python hashlib/hmac + cryptography): do not edit. */\n')
    f.write('#ifndef RECORD12_VECTORS_H\n#define RECORD12_VECTORS_H\n\n#include <stdint.h>\n\n')
    for v in V:
        f.write(v + '\n')
    f.write('\n#endif\n')
