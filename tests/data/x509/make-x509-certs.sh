#!/bin/sh
# Makes the path-validation test certificates of tests/unit/test-x509.c (issue 10) under ../ca-rsa.pem, ../ca-ecdsa.pem and ../nc-ca.pem (openssl >= 3.0).
#
# Re-run after tests/data/make-certs.sh regenerates the CAs; make-certs.sh
# calls this at its end. Keys are random; names, shapes and dates stay.
# With the argument "profile" only section 7 (key identifiers and the Web
# PKI profile) is made, with "names" only section 8 (version 1 server
# leaf, wildcards over public suffixes), leaving the other files as they are.
# Dates are 2020-01-01 .. 2049-12-31 like the other test data, except for
# neg-serial.pem (openssl ca cannot write a negative serial; openssl x509
# dates it from the day it is made, 9000 days on).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
d=..

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

START=20200101000000Z
END=20491231235959Z

# Many names and many constraints, for the work budget of name constraints.
i=0
: > "$work/many_nc"
: > "$work/many_san"
while [ $i -lt 600 ]; do
  echo "excluded;DNS.$i = x$i.example.net" >> "$work/many_nc"
  echo "DNS.$i = h$i.example.com" >> "$work/many_san"
  i=$((i + 1))
done
echo "DNS.$i = localhost" >> "$work/many_san"

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

[ policy_any ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = optional

[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused

# ---- CAs ----
[ ca_plain ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ ca_eku_email ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ ca_eku_any ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = anyExtendedKeyUsage
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ ca_eku_server ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ ca_nobc ]
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ ca_critext ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
1.3.6.1.4.1.55555.2 = critical,ASN1:NULL

[ ca_nc_other ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
nameConstraints = critical,excluded;otherName:1.3.6.1.4.1.311.20.2.3;UTF8:admin@example.com

[ ca_nc_email ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
nameConstraints = critical,permitted;email:.example.com,permitted;URI:.example.com

[ ca_nc_dir ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
nameConstraints = critical,permitted;dirName:nc_dir_base

[ nc_dir_base ]
O = tlslite

[ ca_nc_many ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
nameConstraints = critical,@many_nc

[ many_nc ]
.include $work/many_nc

[ ca_nc_excl_localhost ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
nameConstraints = critical,excluded;DNS:localhost

# openssl >= 3.0 adds both key identifiers unless told "none".
[ ca_noaki ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = none

[ ca_noski ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = none
authorityKeyIdentifier = keyid

[ ca_aki_mismatch ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
2.5.29.35 = DER:30:16:80:14:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13:14

[ ca_nc_dot ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
nameConstraints = critical,permitted;DNS:.example.com

# ---- leaves ----
[ leaf ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost

[ leaf_noaki ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
authorityKeyIdentifier = none
subjectAltName = DNS:localhost

[ leaf_nosan ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[ leaf_ip_only ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = IP:127.0.0.1

[ leaf_upn ]
basicConstraints = CA:false
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost,otherName:1.3.6.1.4.1.311.20.2.3;UTF8:someone@example.com

[ leaf_email_ok ]
basicConstraints = CA:false
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost,email:a@mail.example.com,URI:https://www.example.com/x

[ leaf_email_bad ]
basicConstraints = CA:false
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost,email:a@example.org

[ leaf_uri_bad ]
basicConstraints = CA:false
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost,URI:https://evil.example.org/

[ leaf_many ]
basicConstraints = CA:false
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
subjectAltName = @many_san

[ many_san ]
.include $work/many_san

[ leaf_critski ]
basicConstraints = CA:false
extendedKeyUsage = serverAuth
subjectKeyIdentifier = critical,hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost

[ leaf_critaki ]
basicConstraints = CA:false
extendedKeyUsage = serverAuth
authorityKeyIdentifier = critical,keyid
subjectAltName = DNS:localhost

[ leaf_badaki ]
basicConstraints = CA:false
extendedKeyUsage = serverAuth
2.5.29.35 = DER:30:03:02:01:05
subjectAltName = DNS:localhost

[ leaf_certsign ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyCertSign
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost

[ leaf_aki_issuer ]
basicConstraints = CA:false
extendedKeyUsage = serverAuth
authorityKeyIdentifier = issuer:always
subjectAltName = DNS:localhost

[ leaf_foo ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
subjectAltName = DNS:foo.example.com

[ leaf_wild_psl ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:*.co.uk,DNS:*.example.co.uk

[ leaf_ip6 ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:2001:db8:0:0:1:0:0:1

[ leaf_ca_noku ]
basicConstraints = critical,CA:true
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost

[ leaf_anyeku ]
basicConstraints = CA:false
extendedKeyUsage = serverAuth,anyExtendedKeyUsage
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost

[ leaf_criteku ]
basicConstraints = CA:false
extendedKeyUsage = critical,serverAuth
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost

[ leaf_critsan ]
basicConstraints = CA:false
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
subjectAltName = critical,DNS:localhost

[ leaf_emptyeku ]
basicConstraints = CA:false
2.5.29.37 = DER:30:00
authorityKeyIdentifier = keyid
subjectAltName = DNS:localhost
EOF

mkdir -p "$work/new"
: > "$work/index.txt"

rsakey() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"${2:-2048}" -out "$1" 2>/dev/null; }

# issue OUT KEY SUBJECT EXT SIGNER_CERT SIGNER_KEY [openssl ca options...]
issue() {
  out=$1 key=$2 subj=$3 ext=$4 scert=$5 skey=$6
  shift 6
  openssl req -new -config "$work/ca.cnf" -key "$key" -subj "$subj" -out "$work/req.csr"
  if [ "$scert" = self ]; then
    set -- "$@" -selfsign -keyfile "$key"
  else
    set -- "$@" -cert "$scert" -keyfile "$skey"
  fi
  case " $* " in *" -md "*) ;; *) set -- "$@" -md sha256 ;; esac
  case " $* " in *" -notext "*) ;; *) set -- "$@" -notext ;; esac
  [ -s "$work/serial" ] || set -- "$@" -rand_serial
  openssl ca -batch -config "$work/ca.cnf" -preserveDN \
    -startdate "$START" -enddate "$END" -extensions "$ext" -subj "$subj" \
    -in "$work/req.csr" -out "$out" "$@" 2>/dev/null
}

leafkey=$d/server-rsa-key.pem
rsakey "$work/ca.key"
cakey=$work/ca.key

if [ "${1:-all}" = all ]; then

# ---- 1. host names: CN only when there is no SAN, constrained like a dNSName ----
issue cn-only.pem $leafkey "/O=tlslite/CN=localhost" leaf_nosan $d/ca-rsa.pem $d/ca-rsa-key.pem
issue ip-only-cn.pem $leafkey "/O=tlslite/CN=localhost" leaf_ip_only $d/ca-rsa.pem $d/ca-rsa-key.pem
# nc-ca permits example.com and excludes bad.example.com.
issue nc-cn-outside.pem $leafkey "/O=tlslite/CN=evil.example.org" leaf_nosan $d/nc-ca.pem $d/nc-ca-key.pem
issue nc-cn-excluded.pem $leafkey "/O=tlslite/CN=bad.example.com" leaf_nosan $d/nc-ca.pem $d/nc-ca-key.pem
issue nc-cn-inside.pem $leafkey "/O=tlslite/CN=www.example.com" leaf_nosan $d/nc-ca.pem $d/nc-ca-key.pem

# ---- 2. signature algorithms ----
# An intermediate signed with ecdsa-with-SHA1 by ca-ecdsa, and a leaf it signs.
issue int-sha1.pem $cakey "/O=tlslite/CN=SHA-1 signed intermediate" ca_plain $d/ca-ecdsa.pem $d/ca-ecdsa-key.pem -md sha1
issue leaf-by-int-sha1.pem $leafkey "/O=tlslite/CN=localhost" leaf int-sha1.pem $cakey
# A leaf signed with sha1WithRSA by ca-rsa.
issue leaf-sha1.pem $leafkey "/O=tlslite/CN=localhost" leaf $d/ca-rsa.pem $d/ca-rsa-key.pem -md sha1
# A self-signed SHA-1 root (its own signature is never judged) and a SHA-256 leaf under it.
rsakey "$work/root1.key"
issue root-sha1.pem "$work/root1.key" "/O=tlslite/CN=SHA-1 self-signed root" ca_plain self "" -md sha1
issue leaf-by-root-sha1.pem $leafkey "/O=tlslite/CN=localhost" leaf root-sha1.pem "$work/root1.key"

# ---- 3. extended key usage chaining ----
issue int-eku-email.pem $cakey "/O=tlslite/CN=emailProtection intermediate" ca_eku_email $d/ca-rsa.pem $d/ca-rsa-key.pem
issue leaf-by-eku-email.pem $leafkey "/O=tlslite/CN=localhost" leaf int-eku-email.pem $cakey
issue int-eku-any.pem $cakey "/O=tlslite/CN=anyExtendedKeyUsage intermediate" ca_eku_any $d/ca-rsa.pem $d/ca-rsa-key.pem
issue leaf-by-eku-any.pem $leafkey "/O=tlslite/CN=localhost" leaf int-eku-any.pem $cakey
issue int-eku-server.pem $cakey "/O=tlslite/CN=serverAuth intermediate" ca_eku_server $d/ca-rsa.pem $d/ca-rsa-key.pem
issue leaf-by-eku-server.pem $leafkey "/O=tlslite/CN=localhost" leaf int-eku-server.pem $cakey
issue leaf-empty-eku.pem $leafkey "/O=tlslite/CN=localhost" leaf_emptyeku $d/ca-rsa.pem $d/ca-rsa-key.pem

# ---- 4. name constraints of every form, budget, alternative issuers ----
issue nc-other-ca.pem $cakey "/O=tlslite/CN=otherName constrained CA" ca_nc_other $d/ca-rsa.pem $d/ca-rsa-key.pem
issue nc-other-leaf.pem $leafkey "/O=tlslite/CN=localhost" leaf_upn nc-other-ca.pem $cakey
issue nc-email-ca.pem $cakey "/O=tlslite/CN=email and URI constrained CA" ca_nc_email $d/ca-rsa.pem $d/ca-rsa-key.pem
issue nc-email-good.pem $leafkey "/O=tlslite/CN=localhost" leaf_email_ok nc-email-ca.pem $cakey
issue nc-email-bad.pem $leafkey "/O=tlslite/CN=localhost" leaf_email_bad nc-email-ca.pem $cakey
issue nc-uri-bad.pem $leafkey "/O=tlslite/CN=localhost" leaf_uri_bad nc-email-ca.pem $cakey
issue nc-dir-ca.pem $cakey "/O=tlslite/CN=directoryName constrained CA" ca_nc_dir $d/ca-rsa.pem $d/ca-rsa-key.pem
issue nc-dir-good.pem $leafkey "/O=tlslite/CN=localhost" leaf nc-dir-ca.pem $cakey
issue nc-dir-bad.pem $leafkey "/O=other/CN=localhost" leaf nc-dir-ca.pem $cakey
issue nc-many-ca.pem $cakey "/O=tlslite/CN=600 constraints CA" ca_nc_many $d/ca-rsa.pem $d/ca-rsa-key.pem
issue nc-many-leaf.pem $leafkey "/O=tlslite/CN=localhost" leaf_many nc-many-ca.pem $cakey
# Two certificates for one CA (same subject and key): the first excludes
# localhost, the second does not. A path through the second must be found.
issue alt-nc.pem $cakey "/O=tlslite/CN=alternative issuer" ca_nc_excl_localhost $d/ca-rsa.pem $d/ca-rsa-key.pem
issue alt-plain.pem $cakey "/O=tlslite/CN=alternative issuer" ca_plain $d/ca-rsa.pem $d/ca-rsa-key.pem
issue alt-leaf.pem $leafkey "/O=tlslite/CN=localhost" leaf alt-plain.pem $cakey

# ---- 5. RFC 5280 structure ----
issue crit-ski.pem $leafkey "/O=tlslite/CN=localhost" leaf_critski $d/ca-rsa.pem $d/ca-rsa-key.pem
issue crit-aki.pem $leafkey "/O=tlslite/CN=localhost" leaf_critaki $d/ca-rsa.pem $d/ca-rsa-key.pem
issue bad-aki.pem $leafkey "/O=tlslite/CN=localhost" leaf_badaki $d/ca-rsa.pem $d/ca-rsa-key.pem
echo 00 > "$work/serial"
issue zero-serial.pem $leafkey "/O=tlslite/CN=localhost" leaf $d/ca-rsa.pem $d/ca-rsa-key.pem
echo 0102030405060708090a0b0c0d0e0f101112131415 > "$work/serial"
issue long-serial.pem $leafkey "/O=tlslite/CN=localhost" leaf $d/ca-rsa.pem $d/ca-rsa-key.pem
echo 00f102030405060708090a0b0c0d0e0f1011121314 > "$work/serial"
issue serial-20.pem $leafkey "/O=tlslite/CN=localhost" leaf $d/ca-rsa.pem $d/ca-rsa-key.pem
rm -f "$work/serial"
openssl req -new -config "$work/ca.cnf" -key $leafkey -subj "/O=tlslite/CN=localhost" -out "$work/req.csr"
openssl x509 -req -in "$work/req.csr" -CA $d/ca-rsa.pem -CAkey $d/ca-rsa-key.pem -set_serial -4660 \
  -days 9000 -sha256 -extfile "$work/ca.cnf" -extensions leaf -out neg-serial.pem 2>/dev/null
issue int-nobc.pem $cakey "/O=tlslite/CN=CA without basicConstraints" ca_nobc $d/ca-rsa.pem $d/ca-rsa-key.pem
issue leaf-by-nobc.pem $leafkey "/O=tlslite/CN=localhost" leaf int-nobc.pem $cakey
issue leaf-certsign.pem $leafkey "/O=tlslite/CN=localhost" leaf_certsign $d/ca-rsa.pem $d/ca-rsa-key.pem
# A version 1 intermediate (openssl x509 -req without extensions writes v1).
openssl req -new -config "$work/ca.cnf" -key $cakey -subj "/O=tlslite/CN=version 1 intermediate" -out "$work/req.csr"
openssl x509 -req -in "$work/req.csr" -CA $d/ca-rsa.pem -CAkey $d/ca-rsa-key.pem -set_serial 4661 \
  -days 9000 -sha256 -out int-v1.pem 2>/dev/null
issue leaf-by-v1.pem $leafkey "/O=tlslite/CN=localhost" leaf_noaki int-v1.pem $cakey
# A CA with an empty subject: what it issues has an empty issuer name.
issue ca-empty-subject.pem $cakey "/" ca_plain $d/ca-rsa.pem $d/ca-rsa-key.pem
issue leaf-empty-issuer.pem $leafkey "/O=tlslite/CN=localhost" leaf ca-empty-subject.pem $cakey
# A root with an unknown critical extension, and a leaf under it.
rsakey "$work/root2.key"
issue root-critext.pem "$work/root2.key" "/O=tlslite/CN=root with an unknown critical extension" ca_critext self ""
issue leaf-by-root-critext.pem $leafkey "/O=tlslite/CN=localhost" leaf root-critext.pem "$work/root2.key"
# Web PKI keys: RSA-1024 and a secp256k1 leaf.
rsakey "$work/rsa1024.key" 1024
issue leaf-rsa1024.pem "$work/rsa1024.key" "/O=tlslite/CN=localhost" leaf $d/ca-rsa.pem $d/ca-rsa-key.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out "$work/k1.key"
issue leaf-secp256k1.pem "$work/k1.key" "/O=tlslite/CN=localhost" leaf $d/ca-rsa.pem $d/ca-rsa-key.pem

# ---- 6. path building: bridge, many candidates, rejected candidates ----
# Two roots that do not know each other and a bridge CA each certifies, and
# back; a leaf under an intermediate of root B validates against root A
# only through the bridge.
rsakey "$work/ra.key"
rsakey "$work/rb.key"
rsakey "$work/br.key"
rsakey "$work/ib.key"
issue bridge-root-a.pem "$work/ra.key" "/O=tlslite/CN=bridge test root A" ca_plain self ""
issue bridge-root-b.pem "$work/rb.key" "/O=tlslite/CN=bridge test root B" ca_plain self ""
issue bridge-by-a.pem "$work/br.key" "/O=tlslite/CN=bridge CA" ca_plain bridge-root-a.pem "$work/ra.key"
issue bridge-by-b.pem "$work/br.key" "/O=tlslite/CN=bridge CA" ca_plain bridge-root-b.pem "$work/rb.key"
issue root-b-by-bridge.pem "$work/rb.key" "/O=tlslite/CN=bridge test root B" ca_plain bridge-by-a.pem "$work/br.key"
issue root-a-by-bridge.pem "$work/ra.key" "/O=tlslite/CN=bridge test root A" ca_plain bridge-by-b.pem "$work/br.key"
issue bridge-int-b.pem "$work/ib.key" "/O=tlslite/CN=intermediate under root B" ca_plain bridge-root-b.pem "$work/rb.key"
issue bridge-leaf.pem $leafkey "/O=tlslite/CN=localhost" leaf bridge-int-b.pem "$work/ib.key"
# Candidates for one issuer name: five with other keys, one expired and one
# SHA-1 signed with the right key, and the good one.
i=0
: > cand-decoys.pem
while [ $i -lt 5 ]; do
  rsakey "$work/decoy$i.key"
  issue "$work/decoy$i.pem" "$work/decoy$i.key" "/O=tlslite/CN=many candidates" ca_plain $d/ca-rsa.pem $d/ca-rsa-key.pem
  cat "$work/decoy$i.pem" >> cand-decoys.pem
  i=$((i + 1))
done
rsakey "$work/cand.key"
START=20100101000000Z END=20111231235959Z
issue cand-expired.pem "$work/cand.key" "/O=tlslite/CN=many candidates" ca_plain $d/ca-rsa.pem $d/ca-rsa-key.pem
START=20200101000000Z END=20491231235959Z
issue cand-sha1.pem "$work/cand.key" "/O=tlslite/CN=many candidates" ca_plain $d/ca-rsa.pem $d/ca-rsa-key.pem -md sha1
issue cand-good.pem "$work/cand.key" "/O=tlslite/CN=many candidates" ca_plain $d/ca-rsa.pem $d/ca-rsa-key.pem
issue cand-leaf.pem $leafkey "/O=tlslite/CN=localhost" leaf cand-good.pem "$work/cand.key"

fi

if [ "${1:-all}" != names ]; then

# ---- 7. key identifiers, constraint syntax, the Web PKI profile of a server leaf ----
# Intermediates without an AKI and without an SKI, and leaves under them.
issue int-noaki.pem $cakey "/O=tlslite/CN=intermediate without AKI" ca_noaki $d/ca-rsa.pem $d/ca-rsa-key.pem
issue leaf-by-noaki.pem $leafkey "/O=tlslite/CN=localhost" leaf int-noaki.pem $cakey
issue int-noski.pem $cakey "/O=tlslite/CN=intermediate without SKI" ca_noski $d/ca-rsa.pem $d/ca-rsa-key.pem
issue leaf-by-noski.pem $leafkey "/O=tlslite/CN=localhost" leaf_noaki int-noski.pem $cakey
# An AKI with issuer and serial but no keyIdentifier.
issue aki-no-keyid.pem $leafkey "/O=tlslite/CN=localhost" leaf_aki_issuer $d/ca-rsa.pem $d/ca-rsa-key.pem
# A self-signed root whose AKI names another key, and a leaf under it.
rsakey "$work/root3.key"
issue root-aki-mismatch.pem "$work/root3.key" "/O=tlslite/CN=root with a foreign AKI" ca_aki_mismatch self ""
issue leaf-by-root-aki-mismatch.pem $leafkey "/O=tlslite/CN=localhost" leaf root-aki-mismatch.pem "$work/root3.key"
# A CA constrained to the dNSName ".example.com" (a URI-style leading period).
issue nc-dot-ca.pem $cakey "/O=tlslite/CN=leading-period constrained CA" ca_nc_dot $d/ca-rsa.pem $d/ca-rsa-key.pem
issue nc-dot-leaf.pem $leafkey "/O=tlslite/CN=foo.example.com" leaf_foo nc-dot-ca.pem $cakey
# Server leaves against the CA/Browser Forum rules, under ca-rsa.
issue webpki-cn-other.pem $leafkey "/O=tlslite/CN=other.example.com" leaf $d/ca-rsa.pem $d/ca-rsa-key.pem
issue webpki-cn-case.pem $leafkey "/O=tlslite/CN=LocalHost" leaf $d/ca-rsa.pem $d/ca-rsa-key.pem
issue webpki-cn-ip.pem $leafkey "/O=tlslite/CN=2001:db8::1:0:0:1" leaf_ip6 $d/ca-rsa.pem $d/ca-rsa-key.pem
issue webpki-cn-ip-long.pem $leafkey "/O=tlslite/CN=2001:db8:0:0:1:0:0:1" leaf_ip6 $d/ca-rsa.pem $d/ca-rsa-key.pem
issue webpki-cn-ip4.pem $leafkey "/O=tlslite/CN=127.0.0.1" leaf_ip6 $d/ca-rsa.pem $d/ca-rsa-key.pem
issue webpki-cn-ip4-zeros.pem $leafkey "/O=tlslite/CN=127.000.000.001" leaf_ip6 $d/ca-rsa.pem $d/ca-rsa-key.pem
issue webpki-cn-ip4-hex.pem $leafkey "/O=tlslite/CN=0x7f.1" leaf_ip6 $d/ca-rsa.pem $d/ca-rsa-key.pem
issue webpki-cn-other-ip.pem $leafkey "/O=tlslite/CN=10.0.0.1" leaf_ip6 $d/ca-rsa.pem $d/ca-rsa-key.pem
issue webpki-ca-leaf.pem $leafkey "/O=tlslite/CN=localhost" leaf_ca_noku $d/ca-rsa.pem $d/ca-rsa-key.pem
issue webpki-anyeku.pem $leafkey "/O=tlslite/CN=localhost" leaf_anyeku $d/ca-rsa.pem $d/ca-rsa-key.pem
issue webpki-crit-eku.pem $leafkey "/O=tlslite/CN=localhost" leaf_criteku $d/ca-rsa.pem $d/ca-rsa-key.pem
issue webpki-crit-san.pem $leafkey "/O=tlslite/CN=localhost" leaf_critsan $d/ca-rsa.pem $d/ca-rsa-key.pem

fi

# ---- 8. host names: a version 1 leaf (CN only), wildcards over public suffixes ----
# (openssl x509 -req without extensions writes v1; CN=localhost, no SAN.)
openssl req -new -config "$work/ca.cnf" -key $leafkey -subj "/O=tlslite/CN=localhost" -out "$work/req.csr"
openssl x509 -req -in "$work/req.csr" -CA $d/ca-rsa.pem -CAkey $d/ca-rsa-key.pem -set_serial 4662 \
  -days 9000 -sha256 -out leaf-v1.pem 2>/dev/null
# SAN *.co.uk (a public suffix: names no host with the list) and *.example.co.uk.
issue wild-psl.pem $leafkey "/O=tlslite/CN=www.example.co.uk" leaf_wild_psl $d/ca-rsa.pem $d/ca-rsa-key.pem

echo "x509 test data regenerated in $here"
