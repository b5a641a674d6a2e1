#!/usr/bin/python3
"""srp-login.py: an SRP password login through GIO (GIO_USE_TLS=tlslite), by property name."""
import sys
from gi.repository import Gio, GLib, GObject

host, user, password = sys.argv[1:4]


def on_event(client, event, server, tls):
    if event == Gio.SocketClientEvent.TLS_HANDSHAKING:
        tls.set_property("srp-username", user)
        tls.set_property("srp-password", password)


client = Gio.SocketClient(tls=True)
GObject.Object.connect(client, "event", on_event)  # SocketClient.connect() is another method
try:
    conn = client.connect_to_host(host, 443, None)
except GLib.Error as e:
    sys.exit(e.message)
print("logged in as", conn.get_base_io_stream().get_property("srp-username"))
