"""Python through the Tlslite typelib: a pinned connection (pin computed with
Tlslite.certificate_get_spki_pin) to a self-signed GIO server, a wrong pin
refused, and the typed last-alert property."""
import os
import sys
import threading

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Tlslite', '1.0')
from gi.repository import GLib, Gio, Tlslite  # noqa: E402

DATA = os.environ.get('TLSCORE_TEST_DATA', '')
# openssl x509 -in server-self.pem -pubkey -noout | openssl pkey -pubin -outform der |
#   openssl dgst -sha256 -binary | base64
SELF_PIN = 'sha256//ssANwCCTtqd4Z3VzzTSGwI5nAors1dIqkntmjN8G7tk='
OTHER_PIN = 'sha256//0WmddePbDcZuqhrPU5JIvdTzcWora2buIOwa/5Tg5DU='


def fail(what):
    sys.exit('FAIL: ' + what)


def serve_once(listener, cert, result):
    conn = listener.accept(None)[0]
    tls = Gio.TlsServerConnection.new(conn, cert)
    try:
        tls.handshake(None)
        tls.get_output_stream().write_all(b'ok\n', None)
        tls.get_input_stream().read_bytes(16, None)  # the client's close
    except GLib.Error as e:
        result.append(e)
    tls.close(None)


def connect(cert, pins):
    listener = Gio.SocketListener.new()
    port = listener.add_any_inet_port(None)
    result = []
    th = threading.Thread(target=serve_once, args=(listener, cert, result))
    th.start()
    client = Gio.SocketClient.new()
    conn = client.connect_to_host('127.0.0.1', port, None)
    tls = Gio.TlsClientConnection.new(conn, Gio.NetworkAddress.new('localhost', port))
    # Plain property names, as any GIO program can set them.
    tls.props.pins = pins
    tls.props.pin_only = True
    error = None
    try:
        tls.handshake(None)
        line = tls.get_input_stream().read_bytes(3, None).get_data()
        if line != b'ok\n':
            fail('read %r' % line)
    except GLib.Error as e:
        error = e
    tls.close(None)
    th.join()
    listener.close()
    return tls, error


def main():
    backend = Gio.TlsBackend.get_default()
    if type(backend).__gtype__.name != 'GTlsBackendTlslite':
        fail('backend is ' + type(backend).__gtype__.name)
    cert = Gio.TlsCertificate.new_from_files(os.path.join(DATA, 'server-self.pem'),
                                             os.path.join(DATA, 'server-self-key.pem'))
    pin = Tlslite.certificate_get_spki_pin(cert)
    if pin != SELF_PIN:
        fail('pin %s' % pin)
    if not Tlslite.certificate_matches_pin(cert, pin):
        fail('certificate does not match its own pin')
    try:
        Tlslite.pin_validate('sha256//nope')
        fail('a bad pin validated')
    except GLib.Error as e:
        if not e.matches(Gio.io_error_quark(), Gio.IOErrorEnum.INVALID_ARGUMENT):
            fail('bad pin error: %s' % e.message)

    tls, error = connect(cert, [pin])
    if error is not None:
        fail('pinned connection: %s' % error.message)

    tls, error = connect(cert, [OTHER_PIN])
    if error is None or not error.matches(Gio.tls_error_quark(), Gio.TlsError.BAD_CERTIFICATE):
        fail('wrong pin: %s' % (error.message if error else 'no error'))
    if SELF_PIN not in error.message:
        fail('the error does not name the seen pin: ' + error.message)
    alert = tls.props.last_alert_sent
    if not isinstance(alert, Tlslite.Alert):
        fail('last-alert-sent is %r' % (alert,))
    if (alert.get_name(), alert.get_description(), alert.get_origin()) != \
            ('bad_certificate', 42, Tlslite.AlertOrigin.LOCAL):
        fail('alert %s %d %s' % (alert.get_name(), alert.get_description(), alert.get_origin()))
    if not alert.is_fatal():
        fail('bad_certificate not fatal')
    print('ok')


main()
