#!/usr/bin/env python3
# A minimal SMTP server for the STARTTLS test: greets, offers STARTTLS, upgrades with Python's ssl
# (OpenSSL), then answers each command over TLS until QUIT. One connection, loopback only.
import socket
import ssl
import sys

port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(1)
srv.settimeout(30)
conn, _ = srv.accept()
conn.settimeout(30)
f = conn.makefile("rwb", buffering=0)


def reply(stream, text):
    stream.write(text.encode() + b"\r\n")


reply(f, "220 localhost ESMTP test")
line = f.readline()
if not line.upper().startswith(b"EHLO"):
    reply(f, "503 EHLO first")
    sys.exit(1)
reply(f, "250-localhost")
reply(f, "250 STARTTLS")
if f.readline().strip().upper() != b"STARTTLS":
    reply(f, "503 STARTTLS expected")
    sys.exit(1)
reply(f, "220 Ready to start TLS")
tls = ctx.wrap_socket(conn, server_side=True)
t = tls.makefile("rwb", buffering=0)
while True:
    line = t.readline()
    if not line:
        break
    cmd = line.strip().decode(errors="replace")
    if cmd.upper() == "QUIT":
        reply(t, "221 Bye")
        break
    reply(t, "250 %s over TLS" % cmd)
# close_notify both ways, as a careful server ends a session.
try:
    tls.unwrap()
except (ssl.SSLError, OSError):
    pass
tls.close()
