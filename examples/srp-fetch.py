#!/usr/bin/env python3
"""Example: an HTTPS fetch from Python (PyGObject, libsoup 3) on the tlslite backend, logging in with SRP.

Usage: GIO_USE_TLS=tlslite python3 srp-fetch.py URL USER   (the password is read from stdin)
"""
import sys

import gi
gi.require_version('Soup', '3.0')
from gi.repository import Gio, Soup  # noqa: E402


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    url, user = sys.argv[1:]
    password = sys.stdin.readline().rstrip('\n')
    print('backend:', type(Gio.TlsBackend.get_default()).__gtype__.name)

    session = Soup.Session(timeout=20)
    message = Soup.Message.new('GET', url)

    # libsoup makes the TLS connection itself and shows it just before the handshake; the
    # backend's SRP login is two plain properties, so nothing of ours needs to be imported.
    def on_network_event(_msg, event, connection):
        if event == Gio.SocketClientEvent.TLS_HANDSHAKING:
            connection.set_property('srp-username', user)
            connection.set_property('srp-password', password)

    message.connect('network-event', on_network_event)
    try:
        body = session.send_and_read(message, None).get_data().decode('utf-8', 'replace')
    except Exception as e:  # GLib.Error from the handshake or the request
        print('fetch failed:', e, file=sys.stderr)
        return 1
    status = int(message.get_status())
    print('status:', status)
    print('suite:', message.get_tls_ciphersuite_name())
    print(body.strip())
    return 0 if status == 200 else 1


if __name__ == '__main__':
    sys.exit(main())
