#!/usr/bin/env bash
# The bash completion of gtls-tool, sourced into bash: commands, options per command (all that
# --help prints), option values, db operations, files and directories.
# Usage: check-completion.sh GTLS_TOOL COMPLETION_FILE     Exit: 0 pass, 1 fail.
set -uo pipefail
tool=$(readlink -f "$1") comp=$2
export LC_ALL=C.UTF-8 LANGUAGE=en
status=0
fail() { echo "FAIL: $*"; status=1; }

# shellcheck disable=SC1090
source "$comp" || { echo "FAIL: cannot source $comp"; exit 1; }
complete -p gtls-tool 2>/dev/null | grep -q -- "-F _gtls_tool" || fail "no 'complete -F _gtls_tool gtls-tool'"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/creds" "$tmp/cdir"
touch "$tmp/cert.pem" "$tmp/ca.pem" "$tmp/key.pem"

# complete WORD...: the completions for the last word (COMP_WORDS as bash splits them), sorted,
# one per line, in $completed. The completion function runs in this shell, not in a $(...)
# subshell, so its cache of each command's --help lasts from one completion to the next as it
# does in an interactive shell (in subshells every completion ran gtls-tool again: 15-30 s
# under ASan on a loaded machine).
complete_line() {
  COMP_WORDS=("$tool" "$@")
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMP_LINE="${COMP_WORDS[*]}"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _gtls_tool gtls-tool "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
  completed=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort)
}
# expect "WORDS" EXPECTED...: exactly these completions.
expect() {
  local line=$1; shift
  local -a words
  read -r -a words <<<"$line"
  [[ -z $line || $line == *" " ]] && words+=("")
  local got want
  complete_line "${words[@]}"
  got=$completed
  want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
  [ "$got" = "$want" ] || fail "'gtls-tool $line' completes to [$(echo $got)], not [$(echo $want)]"
}

expect "" cert client clienttest db server servertest testcreds
expect "cl" client clienttest
expect "-" --help --version
expect "client --st" --starttls
expect "client --starttls " smtp imap pop3
expect "client --starttls p" pop3
expect "server --min-version tls1." tls1.0 tls1.1 tls1.2 tls1.3
expect "client --max-version " ssl3.0 tls1.0 tls1.1 tls1.2 tls1.3
# "--max-version=tls" as bash splits it at '='.
expect "client --max-version = tls1.1" tls1.1
expect "client --backend g" gnutls
expect "db " add check create-psk create-srp del export import list passwd
expect "db cr" create-psk create-srp
expect "db import x.db --format " gnutls
expect "db add x.db alice --bits 8" 8192
expect "db --b" --bits
expect "cert --ve" --verify
expect "server --cert $tmp/ce" "$tmp/cert.pem"
expect "client --ca $tmp/c" "$tmp/ca.pem" "$tmp/cdir" "$tmp/cert.pem" "$tmp/creds"
expect "cert $tmp/k" "$tmp/key.pem"
expect "testcreds $tmp/c" "$tmp/cdir" "$tmp/creds"
expect "servertest 127.0.0.1:0 $tmp/cr" "$tmp/creds"
expect "clienttest 127.0.0.1:1 $tmp/cd" "$tmp/cdir"
# An option's value is not a positional argument: the DIR after it still completes as one.
expect "servertest --backend tlslite 127.0.0.1:0 $tmp/cr" "$tmp/creds"
expect "testcreds $tmp/creds " ""

# Every long option of every command's --help completes after "CMD --".
for cmd in server client cert db servertest clienttest testcreds; do
  want=$("$tool" "$cmd" --help | sed -n 's/^  *\(-[a-zA-Z], \)\{0,1\}\(--[a-z0-9-]*\).*/\2/p' | sort -u)
  complete_line "$cmd" "--"
  got=$completed
  missing=$(comm -23 <(echo "$want") <(echo "$got"))
  [ -z "$missing" ] || fail "'gtls-tool $cmd --' does not offer: $(echo $missing)"
  [ "$(wc -l <<<"$want")" -ge 1 ] || fail "$cmd --help shows no options"
done
# Options belong to their command.
complete_line db --
grep -qx -- --starttls <<<"$completed" && fail "db offers client's --starttls"
complete_line client --
grep -qx -- --bits <<<"$completed" && fail "client offers db's --bits"
# A German user gets the same completions (the --help it reads is the untranslated one).
LANGUAGE=de expect "client --min" --min-version
_gtls_tool_cache=()
LANGUAGE=de expect "server --cert $tmp/ce" "$tmp/cert.pem"

[ $status = 0 ] && echo "completion: commands, options of 7 commands, values, files and directories"
exit $status
