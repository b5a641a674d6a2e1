#!/usr/bin/env bash
# gtls-tool's messages in English, German and French, and its usage errors in all three.
# Usage: check-i18n.sh GTLS_TOOL DATA_DIR CASE    CASE: usage (walk every command's usage
# errors) or messages (known messages, --help texts and a module error in de and fr).
# The build tree's tool finds the build tree's catalogues itself; C.UTF-8 as in CI, with
# LANGUAGE picking the catalogue (no de_DE/fr_FR locale needed).
set -uo pipefail
tool=$(readlink -f "$1") data=$(readlink -f "$2") case=$3
unset GIO_USE_TLS GIO_MODULE_DIR TLSLITE_LOCALEDIR
export LC_ALL=C.UTF-8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }
# French puts a no-break space before ':' and inside « »; compare with plain spaces.
plain() { sed 's/\xc2\xa0/ /g'; }

# run LANG ARGS...: stdout in $tmp/out, stderr (no-break spaces made plain) in $tmp/err, $rc.
run() {
  local lang=$1; shift
  LANGUAGE=$lang "$tool" "$@" >"$tmp/out" 2>"$tmp/err.raw" </dev/null
  rc=$?
  plain <"$tmp/err.raw" >"$tmp/err"
}

# usage LANG WHAT CMD ARGS...: exit 2, exactly two lines: "gtls-tool[ CMD]: ..." containing
# WHAT (unless WHAT is -), then the --help hint in LANG. CMD "-" is the top level.
usage() {
  local lang=$1 what=$2 cmd=$3; shift 3
  local args=("$@") prefix="gtls-tool: " hint_cmd=""
  [ "$cmd" != - ] && args=("$cmd" "$@") prefix="gtls-tool $cmd: " hint_cmd="$cmd "
  run "$lang" "${args[@]}"
  local shown="[$lang] gtls-tool ${args[*]}"
  [ $rc -eq 2 ] || { fail "$shown exited $rc, not 2: $(cat "$tmp/err")"; return; }
  [ "$(wc -l <"$tmp/err")" -eq 2 ] || { fail "$shown printed not two lines: $(cat "$tmp/err")"; return; }
  [ ! -s "$tmp/out" ] || fail "$shown wrote to stdout"
  local first second
  first=$(head -n 1 "$tmp/err") second=$(tail -n 1 "$tmp/err")
  [[ $first == "$prefix"?* ]] || fail "$shown: first line '$first' does not start with '$prefix'"
  [ "$what" = - ] || [[ $first == *"$what"* ]] || fail "$shown: '$first' does not say '$what'"
  local hint
  case $lang in
    de) hint="Versuchen Sie „gtls-tool ${hint_cmd}--help“." ;;
    fr) hint="Essayez « gtls-tool ${hint_cmd}--help »." ;;
    *) hint="Try 'gtls-tool ${hint_cmd}--help'." ;;
  esac
  [ "$second" = "$hint" ] || fail "$shown: hint '$second', not '$hint'"
}

case $case in
usage)
  # Each row: COMMAND|ARGS|English|German|French ("-": only the form is checked, as for
  # GLib's own option errors, which GLib's catalogue may or may not translate).
  while IFS='|' read -r cmd args en de fr; do
    [ -z "$cmd" ] && continue
    read -r -a a <<<"$args"
    usage en "$en" "$cmd" "${a[@]}"
    usage de "$de" "$cmd" "${a[@]}"
    usage fr "$fr" "$cmd" "${a[@]}"
    n=$((${n:-0} + 1)) covered="${covered:-} $cmd"
  done <<'ROWS'
-||no command given|kein Befehl angegeben|aucune commande indiquée
-|frobnicate|unknown command 'frobnicate'|unbekannter Befehl „frobnicate“|commande « frobnicate » inconnue
-|--bogus|unknown command '--bogus'|unbekannter Befehl|commande « --bogus » inconnue
client||HOST:PORT missing|HOST:PORT fehlt|HÔTE:PORT manquant
client|a:1 b:2|too many arguments|zu viele Argumente|trop d’arguments
client|--bogus 127.0.0.1:1|--bogus|--bogus|--bogus
client|localhost|'localhost' is not HOST:PORT|„localhost“ ist nicht HOST:PORT|« localhost » n’est pas de la forme HÔTE:PORT
client|localhost:99999|is not HOST:PORT|ist nicht HOST:PORT|n’est pas de la forme HÔTE:PORT
client|127.0.0.1:1 --min-version tls9|Unknown protocol version 'tls9'|Unbekannte Protokollversion „tls9“|Version de protocole « tls9 » inconnue
client|127.0.0.1:1 --starttls ftp|--starttls wants smtp, imap or pop3|--starttls erwartet smtp, imap oder pop3|--starttls attend smtp, imap ou pop3
client|127.0.0.1:1 --resume -1|--resume wants a count|--resume erwartet eine Anzahl|--resume attend un nombre
client|127.0.0.1:1 --resume abc|--resume|--resume|--resume
client|127.0.0.1:1 --max-version|--max-version|--max-version|--max-version
client|127.0.0.1:1 --key x|--key needs --cert|--key braucht --cert|--key nécessite --cert
client|127.0.0.1:1 --srp a --psk b:00|--srp and --psk exclude each other|--srp und --psk schließen einander aus|--srp et --psk s’excluent mutuellement
client|127.0.0.1:1 --psk alice|IDENTITY:HEXKEY|IDENTITÄT:HEXSCHLÜSSEL|IDENTITÉ:CLÉHEXA
client|127.0.0.1:1 --psk alice:abc|not an even number of hex digits|keine gerade Anzahl von Hexadezimalziffern|pas un nombre pair de chiffres hexadécimaux
server||HOST:PORT missing|HOST:PORT fehlt|HÔTE:PORT manquant
server|a:1 b:2|too many arguments|zu viele Argumente|trop d’arguments
server|127.0.0.1:0|--cert (or --srp-db / --psk-db) is required|--cert (oder --srp-db / --psk-db) ist erforderlich|--cert (ou --srp-db / --psk-db) est requis
server|127.0.0.1:0 --cert a --key b --key c|more --key than --cert options|mehr --key- als --cert-Optionen|plus d’options --key que d’options --cert
server|127.0.0.1:0 --cert a --require-client-cert|--require-client-cert needs --ca|--require-client-cert braucht --ca|--require-client-cert nécessite --ca
server|127.0.0.1:0 --cert a --max-version tls2|Unknown protocol version 'tls2'|Unbekannte Protokollversion „tls2“|Version de protocole « tls2 » inconnue
server|--bogus|--bogus|--bogus|--bogus
server|nohost|'nohost' is not HOST:PORT|„nohost“ ist nicht HOST:PORT|« nohost » n’est pas de la forme HÔTE:PORT
cert||FILE missing|DATEI fehlt|FICHIER manquant
cert|--ca x f.pem|--ca, --host and --client go with --verify|--ca, --host und --client gehören zu --verify|--ca, --host et --client vont avec --verify
cert|--verify a.pem b.pem|--verify takes one FILE|--verify nimmt eine DATEI|--verify prend un seul FICHIER
cert|--verify --min-version tls7 a.pem|Unknown protocol version 'tls7'|Unbekannte Protokollversion „tls7“|Version de protocole « tls7 » inconnue
cert|--bogus x|--bogus|--bogus|--bogus
db||OPERATION missing|OPERATION fehlt|OPÉRATION manquante
db|list|FILE missing|DATEI fehlt|FICHIER manquant
db|frob x|unknown operation 'frob'|unbekannte Operation „frob“|opération « frob » inconnue
db|add x|wrong number of arguments for 'add' (gtls-tool db add FILE NAME)|falsche Anzahl von Argumenten für „add“|nombre d’arguments incorrect pour « add »
db|list x y|wrong number of arguments for 'list'|falsche Anzahl von Argumenten für „list“|nombre d’arguments incorrect pour « list »
db|add x alice --bits 1000|--bits 1000 is not an SRP group size|--bits 1000 ist keine Größe einer SRP-Gruppe|--bits 1000 n’est pas une taille de groupe SRP
db|add x alice --bits many|--bits|--bits|--bits
db|list x --bits 2048|--bits goes with add or passwd|--bits gehört zu add oder passwd|--bits va avec add ou passwd
db|import x --format pem a|--format knows only gnutls|--format kennt nur gnutls|--format ne connaît que gnutls
db|list x --format gnutls|--format goes with import or export|--format gehört zu import oder export|--format va avec import ou export
db|--bogus|--bogus|--bogus|--bogus
servertest||HOST:PORT and DIR are needed|HOST:PORT und VERZEICHNIS werden benötigt|HÔTE:PORT et RÉPERTOIRE sont nécessaires
servertest|127.0.0.1:0|HOST:PORT and DIR are needed|HOST:PORT und VERZEICHNIS werden benötigt|HÔTE:PORT et RÉPERTOIRE sont nécessaires
servertest|127.0.0.1:0 a b|too many arguments|zu viele Argumente|trop d’arguments
servertest|nohost dir|'nohost' is not HOST:PORT|„nohost“ ist nicht HOST:PORT|« nohost » n’est pas de la forme HÔTE:PORT
servertest|--bogus|--bogus|--bogus|--bogus
clienttest|127.0.0.1:0 /tmp|the client needs the server's port|der Client braucht den Port des Servers|le client a besoin du port du serveur
clienttest|127.0.0.1:1 a b|too many arguments|zu viele Argumente|trop d’arguments
clienttest|127.0.0.1:1 /tmp --step 999|no such step|kein solcher Schritt|étape inexistante
clienttest|--bogus|--bogus|--bogus|--bogus
testcreds||DIR missing|VERZEICHNIS fehlt|RÉPERTOIRE manquant
testcreds|a b|too many arguments|zu viele Argumente|trop d’arguments
testcreds|--bogus|--bogus|--bogus|--bogus
ROWS
  # Every command the tool lists has at least one row above.
  for c in $(LANGUAGE=en "$tool" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p'); do
    [[ " $covered " == *" $c "* ]] || fail "no usage case for the command '$c'"
    "$tool" "$c" --bogus-option >/dev/null 2>&1 </dev/null
    [ $? -eq 2 ] || fail "gtls-tool $c --bogus-option did not exit 2"
  done
  [ "${n:-0}" -ge 50 ] || fail "only ${n:-0} usage cases ran"
  ;;
messages)
  # A usage error and its hint (the examples of the issue).
  run de client
  grep -qx "gtls-tool client: HOST:PORT fehlt" "$tmp/err" || fail "de: $(cat "$tmp/err")"
  run fr client
  grep -qx "gtls-tool client: HÔTE:PORT manquant" "$tmp/err" || fail "fr: $(cat "$tmp/err")"
  # --help texts: option descriptions, argument names, the summary, the top-level list.
  run de client --help
  grep -q -- "--min-version=VERSION *Niedrigste Protokollversion: ssl3.0" "$tmp/out" || fail "de: client --help: $(cat "$tmp/out")"
  grep -q -- "--ca=DATEI *Diesen CA-Zertifikaten (PEM) statt denen des Systems vertrauen" "$tmp/out" || fail "de: --ca in client --help"
  grep -q "^Gibt das Ausgehandelte auf stderr aus" "$tmp/out" || fail "de: client --help summary"
  run fr client --help
  plain <"$tmp/out" >"$tmp/out.plain"
  grep -q -- "--min-version=VERSION *Version de protocole la plus basse : ssl3.0" "$tmp/out.plain" || fail "fr: client --help: $(cat "$tmp/out")"
  grep -q -- "--srp=UTILISATEUR *Se connecter par SRP" "$tmp/out.plain" || fail "fr: --srp in client --help"
  run de --help
  grep -q "^Befehle:" "$tmp/out" && grep -q "^  db  *SRP-Verifier-Datenbanken" "$tmp/out" || fail "de: gtls-tool --help: $(cat "$tmp/out")"
  run fr --help
  plain <"$tmp/out" | grep -q "^Code de sortie : 0 succès, 1 échec, 2 arguments incorrects." || fail "fr: gtls-tool --help: $(cat "$tmp/out")"
  run de db --help
  grep -q "^  create-srp DATEI  *eine neue SRP-Verifier-Datenbank" "$tmp/out" || fail "de: db --help: $(cat "$tmp/out")"
  # Output lines: a chain verified (through the module's GTlsDatabase) in words.
  run de cert --verify --ca "$data/other-ca.pem" "$data/server-rsa.pem"
  [ $rc -eq 1 ] && grep -qx ".*server-rsa.pem: nicht von einer vertrauenswürdigen Zertifizierungsstelle signiert" "$tmp/out" ||
    fail "de: cert --verify: rc $rc, $(cat "$tmp/out" "$tmp/err")"
  run fr cert --verify --ca "$data/other-ca.pem" "$data/server-rsa.pem"
  plain <"$tmp/out" | grep -qx ".*server-rsa.pem : non signé par une autorité de confiance" ||
    fail "fr: cert --verify: $(cat "$tmp/out")"
  run de cert "$data/server-rsa.pem"
  grep -q "^  Inhaber: .*CN=localhost" "$tmp/out" && grep -q "^  Zertifizierungsstelle: nein" "$tmp/out" &&
    grep -q "^  SHA-256-Fingerabdruck: " "$tmp/out" || fail "de: cert: $(cat "$tmp/out")"
  # A module error reaches the tool in the same language: the tool and the library share one
  # domain, bound to the same catalogues.
  run de server 127.0.0.1:0 --cert "$data/server-rsa.pem" --key "$data/server-ecdsa-key.pem"
  [ $rc -eq 1 ] && grep -qx "gtls-tool: Der geheime Schlüssel passt nicht zum Zertifikat" "$tmp/err" ||
    fail "de: mismatched key: rc $rc, $(cat "$tmp/err")"
  run fr server 127.0.0.1:0 --cert "$data/server-rsa.pem" --key "$data/server-ecdsa-key.pem"
  grep -qx "gtls-tool: La clé privée ne correspond pas au certificat" "$tmp/err" || fail "fr: mismatched key: $(cat "$tmp/err")"
  # English stays English.
  run en client
  grep -qx "gtls-tool client: HOST:PORT missing" "$tmp/err" || fail "en: $(cat "$tmp/err")"
  ;;
*) echo "unknown case $case"; exit 1 ;;
esac
[ $status = 0 ] && echo "$case: ok"
exit $status
