// Example: an HTTPS fetch from GJS with libsoup 3 on the tlslite backend, trusting only a pin.
// Usage: GIO_USE_TLS=tlslite gjs pinned-fetch.js URL PIN
imports.gi.versions.Soup = '3.0';
const {Gio, GLib, Soup} = imports.gi;

const [url, pin] = ARGV;
if (!url || !pin) {
    printerr('usage: gjs pinned-fetch.js URL PIN');
    imports.system.exit(2);
}
print(`backend: ${Gio.TlsBackend.get_default().constructor.$gtype.name}`);
const session = new Soup.Session({timeout: 20});
const message = Soup.Message.new('GET', url);
// libsoup makes the TLS connection itself and shows it just before the handshake: set the
// backend's pin properties there, by name.
message.connect('network-event', (_msg, event, connection) => {
    if (event === Gio.SocketClientEvent.TLS_HANDSHAKING) {
        connection.pins = [pin];
        connection.pin_only = true;
    }
});
try {
    const bytes = session.send_and_read(message, null);
    const body = new TextDecoder().decode(bytes.get_data());
    print(`status: ${message.get_status()}`);
    print(body.trim());
    imports.system.exit(message.get_status() === 200 ? 0 : 1);
} catch (e) {
    printerr(`fetch failed: ${e.message}`);
    imports.system.exit(1);
}
