"""Shared helpers of the Python binding tests: imports of the build tree's
typelibs and a loopback GIO server/client pair on the tlslite backend."""
import os
import sys

import gi

gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('Tlslite', '1.0')
from gi.repository import GLib, Gio, Tlslite  # noqa: E402,F401

DATA = os.environ.get('TLSCORE_TEST_DATA', '')


def data(name):
    return os.path.join(DATA, name)


def check_backend():
    """The tests mean our backend; a fallback to another one is a failure."""
    backend = Gio.TlsBackend.get_default()
    name = type(backend).__gtype__.name
    if name != 'GTlsBackendTlslite':
        sys.exit('GIO TLS backend is %s, not GTlsBackendTlslite' % name)
    return backend
