// The Tlslite typelib from GJS: version API and the tlslite backend through GIO.
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Tlslite from 'gi://Tlslite?version=1.0';
import System from 'system';

function check(cond, what) {
    if (!cond) {
        printerr(`FAIL: ${what}`);
        System.exit(1);
    }
}

const expected = GLib.getenv('TLSLITE_TEST_VERSION');
check(Tlslite.get_version() === expected, `get_version() is ${Tlslite.get_version()}, not ${expected}`);
const [major, minor, micro] = expected.split('.').map(Number);
check(Tlslite.get_major_version() === major, 'major version');
check(Tlslite.check_version(major, minor, micro), 'check_version of itself');
check(!Tlslite.check_version(major + 1, 0, 0), 'check_version of the next major');

const backend = Gio.TlsBackend.get_default();
check(backend.constructor.$gtype.name === 'GTlsBackendTlslite',
    `backend is ${backend.constructor.$gtype.name}`);
const base = Gio.SimpleIOStream.new(Gio.MemoryInputStream.new(),
    Gio.MemoryOutputStream.new_resizable());
const conn = Gio.TlsClientConnection.new(base, null);
check(conn.constructor.$gtype.name === 'GTlsClientConnectionTlslite',
    `connection is ${conn.constructor.$gtype.name}`);
print('ok');
