#!/usr/bin/env python3
"""The Tlslite typelib from Python: version API, and the tlslite backend's
connection types reached through GIO in the same process."""
import os
import unittest

from tlstest import Gio, Tlslite, check_backend


class LibraryTest(unittest.TestCase):
    def test_version(self):
        expected = os.environ['TLSLITE_TEST_VERSION']
        self.assertEqual(Tlslite.get_version(), expected)
        major, minor, micro = (int(x) for x in expected.split('.'))
        self.assertEqual(Tlslite.get_major_version(), major)
        self.assertEqual(Tlslite.get_minor_version(), minor)
        self.assertEqual(Tlslite.get_micro_version(), micro)
        self.assertTrue(Tlslite.check_version(major, minor, micro))
        self.assertFalse(Tlslite.check_version(major + 1, 0, 0))
        self.assertEqual(Tlslite.MAJOR_VERSION, major)

    def test_backend(self):
        check_backend()
        base = Gio.SimpleIOStream.new(Gio.MemoryInputStream.new(),
                                      Gio.MemoryOutputStream.new_resizable())
        conn = Gio.TlsClientConnection.new(base, None)
        self.assertEqual(type(conn).__gtype__.name, 'GTlsClientConnectionTlslite')


if __name__ == '__main__':
    unittest.main()
