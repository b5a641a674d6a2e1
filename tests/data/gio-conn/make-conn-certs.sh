#!/bin/sh
# Makes the extra certificates tests/gio/test-connection.c needs: a CA carrying the TLS feature status_request (must-staple) and a leaf it issued (openssl >= 3.0).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
data=..

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

cat > "$work/ext.cnf" <<EOT
[ ca ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
tlsfeature = status_request
[ leaf ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,DNS:server.example.com,IP:127.0.0.1
EOT

# The CA reuses ca-rsa's key so no new secret is committed.
openssl req -new -x509 -key $data/ca-rsa-key.pem -subj "/O=tlslite/CN=tlslite must-staple CA" \
  -days 10950 -set_serial 0x5a01 -sha256 -config "$work/ext.cnf" -extensions ca \
  -not_before 20200101000000Z -not_after 20491231000000Z -out ca-staple.pem 2>/dev/null || \
openssl req -new -x509 -key $data/ca-rsa-key.pem -subj "/O=tlslite/CN=tlslite must-staple CA" \
  -days 10950 -set_serial 0x5a01 -sha256 -config "$work/ext.cnf" -extensions ca -out ca-staple.pem

openssl req -new -key $data/server-rsa-key.pem -subj "/O=tlslite/CN=server.example.com" \
  -out "$work/leaf.csr"
openssl x509 -req -in "$work/leaf.csr" -CA ca-staple.pem -CAkey $data/ca-rsa-key.pem \
  -set_serial 0x5a02 -days 10000 -sha256 -extfile "$work/ext.cnf" -extensions leaf \
  -out server-by-staple-ca.pem 2>/dev/null
