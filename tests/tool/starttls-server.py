#!/usr/bin/env python3
# A minimal SMTP, IMAP or POP3 server for the STARTTLS tests: greets, lists its capabilities
# (EHLO, CAPABILITY, CAPA) with or without STARTTLS, upgrades with Python's ssl (OpenSSL) when
# asked, then answers each command over TLS until QUIT/LOGOUT. One connection, loopback only.
# Usage: starttls-server.py smtp|imap|pop3[-nostarttls] PORT CERT KEY
import socket
import ssl
import sys

proto, port, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
offer = not proto.endswith("-nostarttls")
proto = proto.split("-")[0]
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


def command(stream):
    line = stream.readline()
    if not line:
        sys.exit("client closed the connection")
    return line.strip().decode(errors="replace")


def refuse(stream, text):
    reply(stream, text)
    sys.exit("unexpected command: " + text)


# The plain-text part, up to the go-ahead for TLS.
if proto == "smtp":
    reply(f, "220 localhost ESMTP test")
    if not command(f).upper().startswith("EHLO"):
        refuse(f, "503 EHLO first")
    reply(f, "250-localhost")
    reply(f, "250-PIPELINING")
    reply(f, "250 STARTTLS" if offer else "250 8BITMIME")
    if command(f).upper() != "STARTTLS" or not offer:
        refuse(f, "502 no STARTTLS here")
    reply(f, "220 Ready to start TLS")
elif proto == "imap":
    reply(f, "* OK [CAPABILITY IMAP4rev1] test server ready")
    tag, _, cmd = command(f).partition(" ")
    if cmd.upper() != "CAPABILITY":
        refuse(f, tag + " BAD CAPABILITY expected")
    reply(f, "* CAPABILITY IMAP4rev1 " + ("STARTTLS LOGINDISABLED" if offer else "AUTH=PLAIN"))
    reply(f, tag + " OK CAPABILITY completed")
    tag, _, cmd = command(f).partition(" ")
    if cmd.upper() != "STARTTLS" or not offer:
        refuse(f, tag + " BAD no STARTTLS here")
    reply(f, tag + " OK Begin TLS negotiation now")
elif proto == "pop3":
    reply(f, "+OK test POP3 server ready")
    if command(f).upper() != "CAPA":
        refuse(f, "-ERR CAPA expected")
    reply(f, "+OK Capability list follows")
    reply(f, "USER")
    if offer:
        reply(f, "STLS")
    reply(f, "UIDL")
    reply(f, ".")
    if command(f).upper() != "STLS" or not offer:
        refuse(f, "-ERR no STLS here")
    reply(f, "+OK Begin TLS negotiation")
else:
    sys.exit("unknown protocol " + proto)

tls = ctx.wrap_socket(conn, server_side=True)
t = tls.makefile("rwb", buffering=0)
while True:
    line = t.readline()
    if not line:
        break
    cmd = line.strip().decode(errors="replace")
    if proto == "smtp":
        if cmd.upper() == "QUIT":
            reply(t, "221 Bye")
            break
        reply(t, "250 %s over TLS" % cmd)
    elif proto == "imap":
        tag, _, rest = cmd.partition(" ")
        if rest.upper() == "LOGOUT":
            reply(t, "* BYE logging out")
            reply(t, tag + " OK LOGOUT completed")
            break
        reply(t, "%s OK %s over TLS" % (tag, rest))
    else:
        if cmd.upper() == "QUIT":
            reply(t, "+OK Bye")
            break
        reply(t, "+OK %s over TLS" % cmd)
# close_notify both ways, as a careful server ends a session.
try:
    tls.unwrap()
except (ssl.SSLError, OSError):
    pass
tls.close()
