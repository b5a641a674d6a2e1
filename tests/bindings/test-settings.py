#!/usr/bin/env python3
"""TlsliteSettings from Python: properties, validation errors naming the
field and the value, the key=value syntax, and the connection properties."""
import unittest

from tlstest import GLib, Gio, Tlslite, check_backend


class SettingsTest(unittest.TestCase):
    def test_properties_and_validate(self):
        s = Tlslite.Settings()
        self.assertTrue(s.validate())
        s.props.max_version = Gio.TlsProtocolVersion.TLS_1_2
        s.props.groups = ['x448', 'secp521r1', 'ffdhe3072']
        s.props.dh_min_bits = 3072
        s.props.renegotiation = Tlslite.Renegotiation.SECURE
        self.assertTrue(s.validate())
        self.assertIn('groups=x448,secp521r1,ffdhe3072', s.to_string())
        self.assertIn('max-version=tls1.2', s.to_string())
        self.assertIn('renegotiation=secure', s.to_string())

    def test_error_names_field_and_value(self):
        s = Tlslite.Settings()
        s.props.groups = ['x25519', 'curve9999']
        with self.assertRaises(GLib.Error) as cm:
            s.validate()
        err = cm.exception
        self.assertEqual(err.domain, 'tlslite-settings-error-quark')
        self.assertEqual(err.code, Tlslite.SettingsError.INVALID_VALUE)
        self.assertIn('groups', err.message)
        self.assertIn('curve9999', err.message)

        s = Tlslite.Settings()
        s.props.min_version = Gio.TlsProtocolVersion.TLS_1_3
        s.props.max_version = Gio.TlsProtocolVersion.TLS_1_2
        with self.assertRaises(GLib.Error) as cm:
            s.validate()
        self.assertIn('min-version', cm.exception.message)
        self.assertIn('TLS 1.3', cm.exception.message)
        self.assertNotIn('0x', cm.exception.message)

    def test_string(self):
        s = Tlslite.Settings.new_from_string('max-version=tls1.2;tickets=false;record-size-limit=1024')
        self.assertEqual(s.props.max_version, Gio.TlsProtocolVersion.TLS_1_2)
        self.assertFalse(s.props.tickets)
        self.assertEqual(s.props.record_size_limit, 1024)
        with self.assertRaises(GLib.Error) as cm:
            s.parse('no-such-key=1')
        self.assertEqual(cm.exception.domain, 'tlslite-settings-error-quark')
        self.assertEqual(cm.exception.code, Tlslite.SettingsError.UNKNOWN_KEY)
        self.assertIn('no-such-key', cm.exception.message)
        # unchanged after the failed parse
        self.assertEqual(s.props.record_size_limit, 1024)

    def test_on_connection(self):
        check_backend()
        base = Gio.SimpleIOStream.new(Gio.MemoryInputStream.new(),
                                      Gio.MemoryOutputStream.new_resizable())
        conn = Gio.TlsClientConnection.new(base, None)
        s = Tlslite.Settings.new_from_string('max-version=tls1.2')
        conn.set_property('settings', s)
        self.assertIs(conn.get_property('settings'), s)
        conn.set_property('settings-string', 'groups=x25519')
        self.assertEqual(conn.get_property('settings-string'), 'groups=x25519')


if __name__ == '__main__':
    unittest.main()
