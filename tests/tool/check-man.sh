#!/usr/bin/env bash
# docs/gtls-tool.1 against the tool: every command and every long option --help prints is
# documented in the right section, every db operation too, and groff renders it without warnings.
# Usage: check-man.sh GTLS_TOOL MANPAGE [SRCROOT]     Exit: 0 pass, 1 fail.
# With SRCROOT, every environment variable the module or the tool reads must be in ENVIRONMENT.
set -uo pipefail
tool=$1 man=$2 src=${3:-}
export LC_ALL=C.UTF-8 LANGUAGE=en
status=0
fail() { echo "FAIL: $*"; status=1; }

[ -s "$man" ] || { echo "FAIL: no manual page at $man"; exit 1; }
# The page with roff's escaped hyphens made plain, for searching.
plain=$(sed 's/\\-/-/g' "$man")

# Lines of the subsection .SS whose title starts with TITLE, up to the next .SS/.SH.
section() {
  awk -v t="$1" '
    /^\.S[SH] / { on = 0 }
    /^\.SS / { s = $0; sub(/^\.SS "?/, "", s); if (index(s, t) == 1) on = 1 }
    on' <<<"$plain"
}

commands=$("$tool" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p')
[ -n "$commands" ] || { echo "FAIL: gtls-tool --help lists no commands"; exit 1; }
n_opts=0
for cmd in $commands; do
  sec=$(section "$cmd ")
  [ -n "$sec" ] || { fail "no .SS section for the command '$cmd'"; continue; }
  grep -q "^\.SY gtls-tool" <<<"$plain" && grep -A1 '^\.SY gtls-tool' <<<"$plain" | grep -qx "\.B $cmd" ||
    fail "'$cmd' is not in the SYNOPSIS"
  help=$("$tool" "$cmd" --help) || { fail "gtls-tool $cmd --help exited $?"; continue; }
  # "  -v, --verbose   ..." and "  --cert=FILE   ...": the long option names.
  opts=$(sed -n 's/^  *\(-[a-zA-Z], \)\{0,1\}--\([a-z0-9-]*\).*/\2/p' <<<"$help" | sort -u)
  for o in $opts; do
    n_opts=$((n_opts + 1))
    case $o in
      help|help-all) grep -q -- "--help" <<<"$(section "Options of every command")" ||
                       fail "--help is not documented" ;;
      backend|min-version|max-version|ciphers|groups|settings)
        # The handshake options: their own section, unless the command documents them itself.
        grep -q -- "--$o\([ \"]\|$\)" <<<"$sec" ||
          grep -q -- "^\.BI* --$o\([ \"]\|$\)" <<<"$(section "Handshake options")" ||
          fail "$cmd --$o is documented neither in its section nor under Handshake options" ;;
      *) grep -q -- "^\.B[IR]* -*[a-z\", -]*--$o\([ \"]\|$\)" <<<"$sec" ||
           fail "$cmd --$o is not documented in the section of '$cmd'" ;;
    esac
  done
done
[ $n_opts -gt 40 ] || fail "only $n_opts options found in the --help texts"

# db: every operation of its --help.
dbsec=$(section "db ")
ops=$("$tool" db --help | sed -n 's/^  \([a-z][a-z-]*\) [A-Z].*/\1/p' | sort -u)
[ "$(wc -w <<<"$ops")" -ge 9 ] || fail "db --help lists only: $ops"
for op in $ops; do
  grep -q "^\.BI* \"$op " <<<"$dbsec" || fail "db operation '$op' is not documented"
done

# The sections a manual page needs.
for s in NAME SYNOPSIS DESCRIPTION COMMANDS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
  grep -q "^\.SH \"\{0,1\}$s\"\{0,1\}$" "$man" || fail "no $s section"
done
envvars="GIO_USE_TLS GIO_EXTRA_MODULES G_TLS_TLSLITE_SETTINGS TLSLITE_LOCALEDIR"
if [ -n "$src" ]; then
  # What the sources read (test-only switches aside).
  read_vars=$(grep -rhoE '(g_getenv|secure_getenv|getenv) *\( *"[A-Z_]+"' "$src/gio-module" "$src/tools" |
              grep -oE '"[A-Z_]+"' | tr -d '"' | grep -v '_TEST_' | sort -u)
  [ "$(wc -w <<<"$read_vars")" -ge 10 ] || fail "found only these variables in the sources: $read_vars"
  envvars="$envvars $read_vars"
fi
for v in $envvars; do
  grep -q "$v" <<<"$(awk '/^\.SH ENVIRONMENT/{on=1;next} /^\.SH /{on=0} on' "$man")" ||
    fail "ENVIRONMENT does not name $v"
done
# Exit statuses 0, 1 and 2.
for c in 0 1 2; do
  awk '/^\.SH "EXIT STATUS"/{on=1;next} /^\.SH /{on=0} on' "$man" | grep -qx "\.B $c" ||
    fail "EXIT STATUS does not explain $c"
done

# Rendering: groff with every warning on must say nothing.
if command -v groff >/dev/null; then
  warnings=$(groff -man -Tutf8 -ww -z "$man" 2>&1)
  [ -z "$warnings" ] || fail "groff warns: $warnings"
  out=$(groff -man -Tutf8 "$man" 2>/dev/null)
  grep -q "gtls-tool - TLS test servers" <<<"$(sed 's/\x08.//g' <<<"$out")" || fail "groff output lacks the NAME line"
else
  fail "groff is not installed (scripts/install-deps.sh installs groff-base)"
fi
if command -v man >/dev/null; then
  warnings=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$man" 2>&1 >/dev/null)
  [ -z "$warnings" ] || fail "man -l warns: $warnings"
fi
[ $status = 0 ] && echo "manual page documents $(wc -w <<<"$commands") commands, $n_opts options, $(wc -w <<<"$ops") db operations"
exit $status
