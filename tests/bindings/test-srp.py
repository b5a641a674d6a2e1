#!/usr/bin/env python3
"""SRP logins from Python through the Tlslite typelib: a Gio.SocketService
holding a Tlslite.VerifierDatabase, a Gio.SocketClient answering with a
Tlslite.Interaction (fixed credentials, or a Python subclass overriding
the ask_srp_credentials virtual function)."""
import unittest

from gi.repository import GObject
from tlstest import GLib, Gio, Tlslite, check_backend


class PromptInteraction(Tlslite.Interaction):
    """What a GUI would do: answer the typed SRP question."""

    def __init__(self, user, password):
        super().__init__()
        self.user, self.password, self.asked = user, password, []

    def do_ask_srp_credentials(self, connection, password, cancellable):
        self.asked.append(password.get_description())
        password.set_value(self.password.encode())
        return Gio.TlsInteractionResult.HANDLED, self.user


class SrpLoginTest(unittest.TestCase):
    def setUp(self):
        check_backend()
        self.db = Tlslite.VerifierDatabase.new(None, Tlslite.DatabaseFlags.NONE)
        self.db.add_user('alice', "alice's password", 2048)
        self.loop = GLib.MainLoop()
        self.service = Gio.SocketService()
        addr = Gio.InetSocketAddress.new_from_string('127.0.0.1', 0)
        ok, effective = self.service.add_address(addr, Gio.SocketType.STREAM,
                                                 Gio.SocketProtocol.TCP, None)
        self.assertTrue(ok)
        self.port = effective.get_port()
        self.service.connect('incoming', self.on_incoming)
        self.server_result = None
        self.client_result = None
        self.keep = []

    def tearDown(self):
        self.service.stop()
        self.service.close()

    def on_incoming(self, service, conn, source):
        tls = Gio.TlsServerConnection.new(conn, None)
        tls.set_property('verifier-database', self.db)
        self.keep.append(tls)

        def done(tls, result):
            try:
                tls.handshake_finish(result)
                self.server_result = tls.get_property('srp-username')
            except GLib.Error as e:
                self.server_result = e
            self.maybe_quit()

        tls.handshake_async(GLib.PRIORITY_DEFAULT, None, done)
        return True

    def maybe_quit(self):
        if self.server_result is not None and self.client_result is not None:
            self.loop.quit()

    def login(self, interaction):
        client = Gio.SocketClient(tls=True)

        def on_event(client, event, server, tls):
            if event == Gio.SocketClientEvent.TLS_HANDSHAKING:
                tls.set_interaction(interaction)

        def done(client, result):
            try:
                conn = client.connect_to_host_finish(result)
                self.client_result = conn.get_base_io_stream().get_property('srp-username')
                self.keep.append(conn)
            except GLib.Error as e:
                self.client_result = e
            self.maybe_quit()

        # Gio.SocketClient.connect() is a method of its own: the signal's
        # connect is GObject.Object's.
        GObject.Object.connect(client, 'event', on_event)
        client.connect_to_host_async('127.0.0.1:%d' % self.port, 0, None, done)
        GLib.timeout_add_seconds(60, self.loop.quit)
        self.loop.run()

    def test_fixed_credentials(self):
        self.login(Tlslite.Interaction.new_srp('alice', "alice's password"))
        self.assertEqual(self.client_result, 'alice')
        self.assertEqual(self.server_result, 'alice')

    def test_python_subclass(self):
        ia = PromptInteraction('alice', "alice's password")
        self.login(ia)
        self.assertEqual(self.client_result, 'alice')
        self.assertEqual(ia.asked, ['SRP login at 127.0.0.1'])

    def test_wrong_password(self):
        self.login(Tlslite.Interaction.new_srp('alice', 'guess'))
        for result in (self.client_result, self.server_result):
            self.assertIsInstance(result, GLib.Error)
            self.assertEqual(result.domain, 'tlslite-auth-error-quark')
            self.assertEqual(result.code, Tlslite.AuthError.SRP_FAILED)
        self.assertEqual(self.client_result.message,
                         'SRP login failed: wrong user name or password')

    def test_database(self):
        self.assertEqual(self.db.list_users(), ['alice'])
        self.assertTrue(self.db.check_password('alice', "alice's password"))
        self.assertFalse(self.db.check_password('alice', 'guess'))
        with self.assertRaises(GLib.Error) as cm:
            self.db.add_user('alice', 'x', 0)
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.EXISTS))


if __name__ == '__main__':
    unittest.main()
