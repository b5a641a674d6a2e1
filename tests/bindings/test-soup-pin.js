// GJS + libsoup 3: an HTTPS fetch from a self-signed SoupServer, trusted by a pin alone ("pins", "pin-only" set on the connection in network-event).
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Soup from 'gi://Soup?version=3.0';
import System from 'system';

function check(cond, what) {
    if (!cond) {
        printerr(`FAIL: ${what}`);
        System.exit(1);
    }
}

// openssl x509 -in server-self.pem -pubkey -noout | openssl pkey -pubin -outform der |
//   openssl dgst -sha256 -binary | base64
const SELF_PIN = 'sha256//ssANwCCTtqd4Z3VzzTSGwI5nAors1dIqkntmjN8G7tk=';
const OTHER_PIN = 'sha256//0WmddePbDcZuqhrPU5JIvdTzcWora2buIOwa/5Tg5DU=';

const backend = Gio.TlsBackend.get_default();
check(backend.constructor.$gtype.name === 'GTlsBackendTlslite',
    `backend is ${backend.constructor.$gtype.name}`);

const data = GLib.getenv('TLSCORE_TEST_DATA');
const cert = Gio.TlsCertificate.new_from_files(`${data}/server-self.pem`,
    `${data}/server-self-key.pem`);
const server = new Soup.Server({tls_certificate: cert});
server.add_handler('/', (srv, msg) => {
    msg.set_status(200, null);
    msg.set_response('text/plain', Soup.MemoryUse.COPY, new TextEncoder().encode('pinned hello'));
});
server.listen_local(0, Soup.ServerListenOptions.HTTPS | Soup.ServerListenOptions.IPV4_ONLY);
const port = server.get_uris()[0].get_port();

// One fetch on a fresh session (no connection reuse): resolves to
// [status, body, error, tls connection seen].
function fetch(pins) {
    const session = new Soup.Session();
    const msg = Soup.Message.new('GET', `https://localhost:${port}/`);
    let tls = null;
    let accepted = 0;
    msg.connect('network-event', (m, event, conn) => {
        if (event === Gio.SocketClientEvent.TLS_HANDSHAKING) {
            tls = conn;
            // Plain GIO property names: no Tlslite typelib needed.
            conn.pins = pins;
            conn.pin_only = true;
        }
    });
    // Without the pin this self-signed server would need accept-certificate.
    msg.connect('accept-certificate', () => {
        accepted++;
        return false;
    });
    const loop = new GLib.MainLoop(null, false);
    let result = null;
    session.send_and_read_async(msg, GLib.PRIORITY_DEFAULT, null, (s, res) => {
        try {
            const bytes = s.send_and_read_finish(res);
            result = [msg.get_status(), new TextDecoder().decode(bytes.get_data()), null];
        } catch (e) {
            result = [msg.get_status(), null, e];
        }
        loop.quit();
    });
    loop.run();
    return [...result, tls, accepted];
}

let [status, body, error, tls, accepted] = fetch([OTHER_PIN, SELF_PIN]);
check(error === null, `pinned fetch failed: ${error}`);
check(status === 200, `status ${status}`);
check(body === 'pinned hello', `body ${body}`);
check(accepted === 0, 'accept-certificate was asked');
check(tls !== null && tls.constructor.$gtype.name === 'GTlsClientConnectionTlslite',
    'no tlslite connection seen');
check(tls.pins.length === 2, 'pins not kept');

[status, body, error, tls, accepted] = fetch([OTHER_PIN]);
check(error !== null, 'a wrong pin fetched');
check(error.matches(Gio.TlsError, Gio.TlsError.BAD_CERTIFICATE),
    `wrong pin: ${error.message}`);
check(error.message.includes(SELF_PIN) && error.message.includes(OTHER_PIN),
    `message names neither pin: ${error.message}`);
check(tls.last_alert_sent_name === 'bad_certificate',
    `alert sent: ${tls.last_alert_sent_name}`);
check(accepted === 0, 'accept-certificate was asked for a pin mismatch');
server.disconnect();
print('ok');
