#!/bin/sh
# Derives the extra files the GIO-level tests need (tests/gio) from ../*.pem and makes the re-issued-root chain (openssl >= 3.0).
#
# Re-run after tests/data/make-certs.sh regenerates its files: the derived
# DER/list files below must stay in step with them.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
data=..

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# ---- Forms of existing files ----

# server-rsa as DER, for the "certificate" property round trip.
openssl x509 -in $data/server-rsa.pem -outform DER -out server-rsa.der
# The server key as PKCS#1 DER (GIO documents PKCS#1 as the classic
# "private-key" input; it reads back as PKCS#8).
openssl rsa -in $data/server-rsa-key.pem -traditional -outform DER -out server-rsa-key-pkcs1.der 2>/dev/null
# Certificate followed by its key in one file, as g_tls_certificate_new_from_file reads it.
cat $data/server-rsa.pem $data/server-rsa-key-pkcs1.pem > server-rsa-and-key.pem

# A three-level chain, leaf first: server-int <- int-rsa <- ca-rsa.
cat $data/server-int.pem $data/int-rsa.pem $data/ca-rsa.pem > chain.pem

# Five unrelated certificates: not a chain.
cat $data/client-rsa.pem $data/server-self.pem $data/server-ecdsa.pem \
    $data/other-ca.pem $data/server-other.pem > non-chain.pem

# A list of eight certificates.
cat $data/ca-rsa.pem $data/ca-ecdsa.pem $data/other-ca.pem $data/int-rsa.pem \
    $data/nc-ca.pem $data/server-rsa.pem $data/server-ecdsa.pem $data/client-rsa.pem > ca-list.pem

# The same list with the base64 of the second certificate damaged.
awk 'BEGIN { n = 0 }
     /BEGIN CERTIFICATE/ { n++ }
     { if (n == 2 && $0 !~ /-----/ && !done) { print "!!!!" substr($0, 5); done = 1 } else print }' \
    ca-list.pem > ca-list-bad.pem

# Something that is not PEM at all.
printf 'GIF89a\001\000\001\000\200\377\000\377\377\377\000\000\000,\000\000\000\000\001\000\001\000\000\002\002D\001\000;\n' > garbage.bin

# Four certificates issued by ca-rsa plus one that is not (for
# lookup_certificates_issued_by), and the raw DER of ca-rsa's subject Name.
cat $data/server-rsa.pem $data/server-expired.pem $data/server-notyet.pem \
    $data/server-wronghost.pem $data/server-self.pem > issued-by-ca-rsa.pem
openssl x509 -in $data/ca-rsa.pem -outform DER -out "$work/ca.der"
# The subject is the 6th element of the TBSCertificate (version, serial,
# signature, issuer, validity, subject): depth 2 in asn1parse's output.
line=$(openssl asn1parse -inform DER -in "$work/ca.der" | awk '/:d=2 / { n++; if (n == 6) { print; exit } }')
off=$(echo "$line" | sed 's/^ *\([0-9]*\):.*/\1/')
hl=$(echo "$line" | sed 's/.*hl= *\([0-9]*\).*/\1/')
len=$(echo "$line" | sed 's/.*l= *\([0-9]*\) cons.*/\1/')
dd if="$work/ca.der" of=ca-rsa-subject.der bs=1 skip="$off" count=$((hl + len)) 2>/dev/null

# ---- A root re-issued with the same name and key ----
#
# reissued-chain.pem = leaf <- intermediate <- the old root (SHA-1 self
# signature); reissued-root-new.pem is the same root name and key signed
# again with SHA-256. A database holding only the new root must accept the
# chain: the intermediate's signature verifies with the shared key.

cat > "$work/ext.cnf" <<EOT
[ root ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ int ]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ leaf ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:reissued.example.com
EOT

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/root.key" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/int.key" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/leaf.key" 2>/dev/null

subj="/O=tlslite/CN=tlslite re-issued root"
openssl req -new -x509 -sha1 -key "$work/root.key" -subj "$subj" -days 9000 \
    -set_serial 1 -config /dev/null -extensions root -extfile "$work/ext.cnf" -out "$work/root-old.pem" 2>/dev/null \
  || openssl req -new -x509 -sha1 -key "$work/root.key" -subj "$subj" -days 9000 \
       -set_serial 1 -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign \
       -out "$work/root-old.pem"
openssl req -new -x509 -sha256 -key "$work/root.key" -subj "$subj" -days 9000 \
    -set_serial 2 -addext basicConstraints=critical,CA:true -addext keyUsage=critical,keyCertSign,cRLSign \
    -out reissued-root-new.pem
openssl req -new -key "$work/int.key" -subj "/O=tlslite/CN=tlslite re-issued intermediate" -out "$work/int.csr"
openssl x509 -req -sha256 -in "$work/int.csr" -CA reissued-root-new.pem -CAkey "$work/root.key" \
    -set_serial 3 -days 9000 -extfile "$work/ext.cnf" -extensions int -out "$work/int.pem" 2>/dev/null
openssl req -new -key "$work/leaf.key" -subj "/O=tlslite/CN=reissued.example.com" -out "$work/leaf.csr"
openssl x509 -req -sha256 -in "$work/leaf.csr" -CA "$work/int.pem" -CAkey "$work/int.key" \
    -set_serial 4 -days 9000 -extfile "$work/ext.cnf" -extensions leaf -out "$work/leaf.pem" 2>/dev/null
cat "$work/leaf.pem" "$work/int.pem" "$work/root-old.pem" > reissued-chain.pem
cp "$work/root-old.pem" reissued-root-old.pem

# ---- Subject CN fallback (identity checks when there is no dNSName) ----
#
# server-nosan: CN=nosan.example.com and no subjectAltName at all.
# server-nosan-tricky: an O value containing ",CN=victim.example.com" (RFC
#   4514 escapes it) before the real CN=real.example.com.
# server-cn-and-san: CN=cn.example.com but SAN DNS:san.example.com, so the
#   CN must be ignored.
cat > "$work/leaf.cnf" <<EOT
[ nosan ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
[ san ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:san.example.com
EOT
mkleaf() { # name subject extensions
  openssl req -new -key $data/server-rsa-key.pem -subj "$2" -out "$work/$1.csr"
  openssl x509 -req -sha256 -in "$work/$1.csr" -CA $data/ca-rsa.pem -CAkey $data/ca-rsa-key.pem \
      -set_serial "0x$(openssl rand -hex 8)" -days 9000 -extfile "$work/leaf.cnf" -extensions "$3" \
      -out "$1.pem" 2>/dev/null
}
mkleaf server-nosan "/O=tlslite/CN=nosan.example.com" nosan
mkleaf server-nosan-tricky "/O=x,CN=victim.example.com/CN=real.example.com" nosan
mkleaf server-cn-and-san "/O=tlslite/CN=cn.example.com" san
# server-self-nosan: self-signed, version 1 (no extensions, so no
#   subjectAltName at all), CN=server.example.com: the shape of
#   glib-networking 2.74's server-self.pem (file-database/verify-bad-ca).
openssl req -new -key $data/server-rsa-key.pem -subj "/DC=COM/DC=EXAMPLE/CN=server.example.com" \
    -out "$work/self.csr"
openssl x509 -req -sha256 -in "$work/self.csr" -signkey $data/server-rsa-key.pem \
    -set_serial "0x$(openssl rand -hex 8)" -days 9000 -out server-self-nosan.pem 2>/dev/null

# A PKCS#12 file "without a password" the way openssl writes it: no
# encryption, but a SHA-256 MAC keyed with the empty password.
openssl pkcs12 -export -in $data/server-rsa.pem -inkey $data/server-rsa-key.pem -certfile $data/ca-rsa.pem \
    -keypbe NONE -certpbe NONE -macalg sha256 -passout pass: -out server-rsa-emptypass.p12
