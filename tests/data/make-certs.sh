#!/bin/sh
# Regenerates the test certificates, keys and PKCS#12 files in this directory (needs openssl >= 3.0).
#
# Keys are random, so every run produces new files with the same names and
# the same shapes. Dates are explicit (openssl ca -startdate/-enddate) so
# tests can rely on them: normal certificates are valid from 2020-01-01 to
# 2049-12-31 (the last UTCTime year).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

START=20200101000000Z
END=20491231235959Z

cat > "$work/ca.cnf" <<EOF
[ ca ]
default_ca = testca

[ testca ]
dir = $work
database = $work/index.txt
new_certs_dir = $work/new
serial = $work/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = yes

[ policy_any ]
domainComponent = optional
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
emailAddress = optional

[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused

[ v3_ca ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash

[ v3_int ]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ v3_nc ]
basicConstraints = critical,CA:true,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
nameConstraints = critical,permitted;DNS:example.com,permitted;IP:127.0.0.0/255.0.0.0,excluded;DNS:bad.example.com

[ san_std ]
DNS.1 = localhost
DNS.2 = server.example.com
IP.1 = 127.0.0.1
IP.2 = ::1

[ v3_server_rsa ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = @san_std

[ v3_server_ec ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = @san_std

[ v3_server_self ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = @san_std

[ v3_wronghost ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.example.org

[ v3_nc_good ]
basicConstraints = CA:false
extendedKeyUsage = serverAuth
subjectAltName = DNS:server.example.com,IP:127.0.0.1

[ v3_nc_bad ]
basicConstraints = CA:false
extendedKeyUsage = serverAuth
subjectAltName = DNS:server.example.org

[ v3_nc_excluded ]
basicConstraints = CA:false
extendedKeyUsage = serverAuth
subjectAltName = DNS:bad.example.com

[ v3_staple ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = @san_std
tlsfeature = status_request

[ v3_wildcard ]
basicConstraints = CA:false
extendedKeyUsage = serverAuth
subjectAltName = DNS:*.example.com,DNS:*.com,DNS:f*o.example.net,DNS:exact.example.net,IP:10.0.0.1

[ v3_critext ]
basicConstraints = CA:false
extendedKeyUsage = serverAuth
subjectAltName = @san_std
1.3.6.1.4.1.55555.1 = critical,ASN1:NULL

[ v3_leaf_plain ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = @san_std

[ v3_ca_noku ]
basicConstraints = critical,CA:true
keyUsage = critical,digitalSignature

[ v3_client_rsa ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ v3_client_ec ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

mkdir -p "$work/new"
: > "$work/index.txt"

rsakey() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }
eckey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$2" -pkeyopt ec_param_enc:named_curve -out "$1"; }

# issue OUT KEY SUBJECT EXT SIGNER_CERT SIGNER_KEY [START END]
# SIGNER_CERT "self" makes a self-signed certificate with KEY.
issue() {
  out=$1 key=$2 subj=$3 ext=$4 scert=$5 skey=$6
  s=${7:-$START} e=${8:-$END}
  openssl req -new -config "$work/ca.cnf" -key "$key" -subj "$subj" -out "$work/req.csr"
  if [ "$scert" = self ]; then
    set -- -selfsign -keyfile "$key"
  else
    set -- -cert "$scert" -keyfile "$skey"
  fi
  openssl ca -batch -config "$work/ca.cnf" -notext -rand_serial -preserveDN \
    -startdate "$s" -enddate "$e" -extensions "$ext" -subj "$subj" \
    -in "$work/req.csr" -out "$out" "$@" 2>/dev/null
}

# Files added after the first release of this script. "--extra" makes only
# these, reusing the existing CA and leaf keys, so the other files stay as
# they are.
extra() {
  # RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32) signature by ca-rsa.
  openssl req -new -config "$work/ca.cnf" -key server-rsa-key.pem -subj "/O=tlslite/CN=localhost" -out "$work/req.csr"
  openssl ca -batch -config "$work/ca.cnf" -notext -rand_serial -preserveDN \
    -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -sigopt rsa_mgf1_md:sha256 \
    -startdate $START -enddate $END -extensions v3_server_rsa -subj "/O=tlslite/CN=localhost" \
    -in "$work/req.csr" -out server-pss.pem -cert ca-rsa.pem -keyfile ca-rsa-key.pem 2>/dev/null
  # An Ed25519 root and a P-256 leaf it signs (key server-ecdsa-key.pem).
  openssl genpkey -algorithm ED25519 -out ca-ed25519-key.pem
  issue ca-ed25519.pem ca-ed25519-key.pem "/O=tlslite/CN=tlslite test Ed25519 CA" v3_ca self ""
  issue server-by-ed25519.pem server-ecdsa-key.pem "/O=tlslite/CN=localhost" v3_leaf_plain ca-ed25519.pem ca-ed25519-key.pem
  # ECDSA P-384 leaf signed with ecdsa-with-SHA384 by ca-ecdsa.
  openssl req -new -config "$work/ca.cnf" -key server-p384-key.pem -subj "/O=tlslite/CN=localhost" -out "$work/req.csr"
  openssl ca -batch -config "$work/ca.cnf" -notext -rand_serial -preserveDN -md sha384 \
    -startdate $START -enddate $END -extensions v3_server_ec -subj "/O=tlslite/CN=localhost" \
    -in "$work/req.csr" -out server-p384-sha384.pem -cert ca-ecdsa.pem -keyfile ca-ecdsa-key.pem 2>/dev/null
  # int-rsa has pathlen 0, so a CA below it cannot issue a valid leaf.
  issue int2-rsa.pem server-int-key.pem "/O=tlslite/CN=tlslite second-level intermediate" v3_ca int-rsa.pem int-rsa-key.pem
  issue server-int2.pem server-rsa-key.pem "/O=tlslite/CN=localhost" v3_server_rsa int2-rsa.pem server-int-key.pem
  # A CA whose keyUsage lacks keyCertSign, and a leaf it signs.
  issue int-noku.pem server-int-key.pem "/O=tlslite/CN=tlslite CA without keyCertSign" v3_ca_noku ca-rsa.pem ca-rsa-key.pem
  issue server-noku.pem server-rsa-key.pem "/O=tlslite/CN=localhost" v3_server_rsa int-noku.pem server-int-key.pem
  # Two CAs that certify each other (a cycle), and a leaf under one of them.
  issue loop-b.pem other-ca-key.pem "/O=tlslite/CN=loop B" v3_ca self ""
  issue loop-a.pem ca-ecdsa-key.pem "/O=tlslite/CN=loop A" v3_ca loop-b.pem other-ca-key.pem
  issue loop-b.pem other-ca-key.pem "/O=tlslite/CN=loop B" v3_ca loop-a.pem ca-ecdsa-key.pem
  issue server-loop.pem server-rsa-key.pem "/O=tlslite/CN=localhost" v3_server_rsa loop-a.pem ca-ecdsa-key.pem
  # OpenSSL 1.x style PKCS#12: certificates under pbeWithSHAAnd40BitRC2-CBC,
  # key under pbeWithSHAAnd3-KeyTripleDES-CBC, SHA-1 MAC (needs the legacy provider).
  openssl pkcs12 -export -legacy -in server-rsa.pem -inkey server-rsa-key.pem -certfile ca-rsa.pem \
    -passout pass:1234 -out server-rsa-rc2.p12
  # Ed448: a root and a leaf it signs.
  openssl genpkey -algorithm ED448 -out ca-ed448-key.pem
  issue ca-ed448.pem ca-ed448-key.pem "/O=tlslite/CN=tlslite test Ed448 CA" v3_ca self ""
  openssl genpkey -algorithm ED448 -out server-ed448-key.pem
  issue server-ed448.pem server-ed448-key.pem "/O=tlslite/CN=localhost" v3_leaf_plain ca-ed448.pem ca-ed448-key.pem
  # An id-RSASSA-PSS key (PSS signatures only) in a leaf signed by ca-rsa.
  openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out server-rsapss-key.pem 2>/dev/null
  issue server-rsapss.pem server-rsapss-key.pem "/O=tlslite/CN=localhost" v3_leaf_plain ca-rsa.pem ca-rsa-key.pem
}

# Algorithm coverage (ecdsa_secp521r1_sha512, rsa_pss_pss_*): "--algos" makes only these.
algos() {
  # A P-521 root and a P-521 leaf it signs, both ecdsa-with-SHA512.
  eckey ca-p521-key.pem P-521
  openssl req -new -config "$work/ca.cnf" -key ca-p521-key.pem -subj "/O=tlslite/CN=tlslite test P-521 CA" -out "$work/req.csr"
  openssl ca -batch -config "$work/ca.cnf" -notext -rand_serial -preserveDN -md sha512 -selfsign \
    -startdate $START -enddate $END -extensions v3_ca -subj "/O=tlslite/CN=tlslite test P-521 CA" \
    -in "$work/req.csr" -out ca-p521.pem -keyfile ca-p521-key.pem 2>/dev/null
  eckey server-p521-key.pem P-521
  openssl req -new -config "$work/ca.cnf" -key server-p521-key.pem -subj "/O=tlslite/CN=localhost" -out "$work/req.csr"
  openssl ca -batch -config "$work/ca.cnf" -notext -rand_serial -preserveDN -md sha512 \
    -startdate $START -enddate $END -extensions v3_server_ec -subj "/O=tlslite/CN=localhost" \
    -in "$work/req.csr" -out server-p521.pem -cert ca-p521.pem -keyfile ca-p521-key.pem 2>/dev/null
  # id-RSASSA-PSS keys with parameters (SHA-256, MGF1-SHA-256, salt 32): a
  # root signing itself and a leaf with RSASSA-PSS, so the whole chain is PSS.
  psskey() {
    openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_pss_keygen_md:sha256 \
      -pkeyopt rsa_pss_keygen_mgf1_md:sha256 -pkeyopt rsa_pss_keygen_saltlen:32 -out "$1" 2>/dev/null
  }
  pssopts="-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -sigopt rsa_mgf1_md:sha256 -md sha256"
  psskey ca-rsapss-key.pem
  openssl req -new -config "$work/ca.cnf" -key ca-rsapss-key.pem -subj "/O=tlslite/CN=tlslite test RSA-PSS CA" -out "$work/req.csr"
  # shellcheck disable=SC2086
  openssl ca -batch -config "$work/ca.cnf" -notext -rand_serial -preserveDN $pssopts -selfsign \
    -startdate $START -enddate $END -extensions v3_ca -subj "/O=tlslite/CN=tlslite test RSA-PSS CA" \
    -in "$work/req.csr" -out ca-rsapss.pem -keyfile ca-rsapss-key.pem 2>/dev/null
  psskey server-rsapss-params-key.pem
  openssl req -new -config "$work/ca.cnf" -key server-rsapss-params-key.pem -subj "/O=tlslite/CN=localhost" -out "$work/req.csr"
  # shellcheck disable=SC2086
  openssl ca -batch -config "$work/ca.cnf" -notext -rand_serial -preserveDN $pssopts \
    -startdate $START -enddate $END -extensions v3_leaf_plain -subj "/O=tlslite/CN=localhost" \
    -in "$work/req.csr" -out server-rsapss-params.pem -cert ca-rsapss.pem -keyfile ca-rsapss-key.pem 2>/dev/null
}

if [ "${1:-}" = "--algos" ]; then
  algos
  echo "algorithm test data regenerated in $here"
  exit 0
fi

if [ "${1:-}" = "--extra" ]; then
  extra
  echo "extra test data regenerated in $here"
  exit 0
fi

# ---- roots ----
rsakey ca-rsa-key.pem
issue ca-rsa.pem ca-rsa-key.pem "/O=tlslite/CN=tlslite test RSA CA" v3_ca self ""
eckey ca-ecdsa-key.pem P-256
issue ca-ecdsa.pem ca-ecdsa-key.pem "/O=tlslite/CN=tlslite test ECDSA CA" v3_ca self ""
rsakey other-ca-key.pem
issue other-ca.pem other-ca-key.pem "/O=unrelated/CN=tlslite unrelated CA" v3_ca self ""

# ---- intermediates ----
rsakey int-rsa-key.pem
issue int-rsa.pem int-rsa-key.pem "/O=tlslite/CN=tlslite test RSA intermediate" v3_int ca-rsa.pem ca-rsa-key.pem
rsakey nc-ca-key.pem
issue nc-ca.pem nc-ca-key.pem "/O=tlslite/CN=tlslite name-constrained CA" v3_nc ca-rsa.pem ca-rsa-key.pem

# ---- server leaves ----
rsakey server-rsa-key.pem
issue server-rsa.pem server-rsa-key.pem "/DC=COM/DC=EXAMPLE/O=tlslite/CN=localhost" v3_server_rsa ca-rsa.pem ca-rsa-key.pem
eckey server-ecdsa-key.pem P-256
issue server-ecdsa.pem server-ecdsa-key.pem "/O=tlslite/CN=localhost" v3_server_ec ca-ecdsa.pem ca-ecdsa-key.pem
eckey server-p384-key.pem P-384
issue server-p384.pem server-p384-key.pem "/O=tlslite/CN=localhost" v3_server_ec ca-ecdsa.pem ca-ecdsa-key.pem
openssl genpkey -algorithm ED25519 -out server-ed25519-key.pem
issue server-ed25519.pem server-ed25519-key.pem "/O=tlslite/CN=localhost" v3_server_ec ca-ecdsa.pem ca-ecdsa-key.pem
rsakey server-int-key.pem
issue server-int.pem server-int-key.pem "/O=tlslite/CN=localhost" v3_server_rsa int-rsa.pem int-rsa-key.pem
cat server-int.pem int-rsa.pem > server-int-chain.pem

issue server-expired.pem server-rsa-key.pem "/O=tlslite/CN=localhost" v3_server_rsa ca-rsa.pem ca-rsa-key.pem \
  20100101000000Z 20111231235959Z
issue server-notyet.pem server-rsa-key.pem "/O=tlslite/CN=localhost" v3_server_rsa ca-rsa.pem ca-rsa-key.pem \
  20450101000000Z 20491231235959Z
issue server-wronghost.pem server-rsa-key.pem "/O=tlslite/CN=other.example.org" v3_wronghost ca-rsa.pem ca-rsa-key.pem
issue server-staple.pem server-rsa-key.pem "/O=tlslite/CN=localhost" v3_staple ca-rsa.pem ca-rsa-key.pem
rsakey server-self-key.pem
issue server-self.pem server-self-key.pem "/O=tlslite self-signed/CN=localhost" v3_server_self self ""
issue server-other.pem server-rsa-key.pem "/O=unrelated/CN=localhost" v3_server_rsa other-ca.pem other-ca-key.pem

issue server-wildcard.pem server-rsa-key.pem "/O=tlslite/CN=wildcard" v3_wildcard ca-rsa.pem ca-rsa-key.pem
issue server-critext.pem server-rsa-key.pem "/O=tlslite/CN=localhost" v3_critext ca-rsa.pem ca-rsa-key.pem
# MD5 signature (must come out as insecure).
openssl req -new -config "$work/ca.cnf" -key server-rsa-key.pem -subj "/O=tlslite/CN=localhost" -out "$work/req.csr"
openssl ca -batch -config "$work/ca.cnf" -notext -rand_serial -preserveDN -md md5 \
  -startdate $START -enddate $END -extensions v3_server_rsa -subj "/O=tlslite/CN=localhost" \
  -in "$work/req.csr" -out server-md5.pem -cert ca-rsa.pem -keyfile ca-rsa-key.pem 2>/dev/null
# A leaf (CA:false) used as an issuer: chains through it must not validate.
issue bad-issuer.pem server-int-key.pem "/O=tlslite/CN=issued by a leaf" v3_server_rsa server-rsa.pem server-rsa-key.pem
# ca-rsa's subject and key, signed by other-ca (a cross-signed root).
issue ca-rsa-cross.pem ca-rsa-key.pem "/O=tlslite/CN=tlslite test RSA CA" v3_ca other-ca.pem other-ca-key.pem

# Leaves under the name-constrained CA (permitted example.com and 127/8, excluded bad.example.com).
issue nc-good.pem server-rsa-key.pem "/O=tlslite/CN=server.example.com" v3_nc_good nc-ca.pem nc-ca-key.pem
issue nc-bad.pem server-rsa-key.pem "/O=tlslite/CN=server.example.org" v3_nc_bad nc-ca.pem nc-ca-key.pem
issue nc-excluded.pem server-rsa-key.pem "/O=tlslite/CN=bad.example.com" v3_nc_excluded nc-ca.pem nc-ca-key.pem

# ---- clients ----
rsakey client-rsa-key.pem
issue client-rsa.pem client-rsa-key.pem "/DC=COM/DC=EXAMPLE/CN=client/emailAddress=client@example.com" v3_client_rsa ca-rsa.pem ca-rsa-key.pem
eckey client-ecdsa-key.pem P-256
issue client-ecdsa.pem client-ecdsa-key.pem "/O=tlslite/CN=client-ecdsa" v3_client_ec ca-ecdsa.pem ca-ecdsa-key.pem

# ---- key formats ----
openssl rsa -in server-rsa-key.pem -traditional -out server-rsa-key-pkcs1.pem 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in server-rsa-key.pem -out server-rsa-key-pkcs8.pem
openssl pkcs8 -topk8 -nocrypt -in server-rsa-key.pem -outform DER -out server-rsa-key-pkcs8.der
openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -passout pass:secret \
  -in server-rsa-key.pem -out server-rsa-key-enc.pem
openssl pkcs8 -topk8 -v2 aes-128-cbc -v2prf hmacWithSHA1 -passout pass:secret \
  -in server-rsa-key.pem -out server-rsa-key-enc-aes128-sha1.pem
openssl pkcs8 -topk8 -v2 des-ede3-cbc -v2prf hmacWithSHA256 -passout pass:secret \
  -in server-rsa-key.pem -out server-rsa-key-enc-3des.pem
openssl ec -in server-ecdsa-key.pem -out server-ecdsa-key-sec1.pem 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in server-ecdsa-key.pem -out server-ecdsa-key-pkcs8.pem

# ---- PKCS#12 ----
openssl pkcs12 -export -in server-rsa.pem -inkey server-rsa-key.pem -certfile ca-rsa.pem \
  -passout pass:1234 -keypbe AES-256-CBC -certpbe NONE -macalg sha256 -out server-rsa.p12
openssl pkcs12 -export -in server-rsa.pem -inkey server-rsa-key.pem -certfile ca-rsa.pem \
  -passout pass: -keypbe NONE -certpbe NONE -nomac -out server-rsa-nopass.p12
openssl pkcs12 -export -in server-rsa.pem -inkey server-rsa-key.pem -certfile ca-rsa.pem \
  -passout pass:1234 -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 -out server-rsa-encrypted.p12
openssl pkcs12 -export -in server-rsa.pem -inkey server-rsa-key.pem -certfile ca-rsa.pem \
  -passout pass:1234 -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 -out server-rsa-legacy.p12

cat ca-rsa.pem ca-ecdsa.pem > ca-bundle.pem

extra
algos
sh x509/make-x509-certs.sh

echo "test data regenerated in $here"
