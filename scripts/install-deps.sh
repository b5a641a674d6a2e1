#!/usr/bin/env bash
# Installs the Debian 12 packages the build, the tests and the demo need (only the missing ones).
set -euo pipefail

pkgs=(
  build-essential pkg-config meson ninja-build python3
  nettle-dev libgmp-dev libglib2.0-dev libglib2.0-bin libsqlite3-dev
  gettext
  # gtls-tool's manual page (groff renders it in the test) and its bash completion directory
  groff-base bash-completion
  openssl gnutls-bin
  # the Public Suffix List certificate verification reads (wildcards over a public suffix)
  publicsuffix
  glib-networking libsoup-3.0-dev
  # bench/build-openssl-backend.sh: glib-networking's openssl backend, bench-gio's third column
  libssl-dev
  # examples/ integration tests: the real peers, run in the foreground from throw-away configs
  curl wget nginx dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix mosquitto mosquitto-clients stunnel4
  python3-gi gir1.2-soup-3.0 gjs
  # the library's GIR/typelib and API reference
  gobject-introspection libgirepository1.0-dev gir1.2-glib-2.0 gi-docgen
  clang llvm
)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#pkgs[@]} packages the build and the tests need are installed."
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing packages: ${missing[*]}" >&2
  echo "Install them as root: apt-get install ${missing[*]}" >&2
  exit 1
fi

# Say what is going to happen: on a fresh machine this takes a few minutes.
echo "install-deps: installing ${#missing[@]} Debian packages (and what they depend on):"
echo "Installing: ${missing[*]}" | fold -s -w 100
export DEBIAN_FRONTEND=noninteractive   # no debconf questions (postfix's is answered below)
# Daemons installed for the tests must not start as system services: the tests start their own
# on loopback. Without systemd, invoke-rc.d asks policy-rc.d (exit 101 = do not start).
policy=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e $policy ]; then
  printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy && added_policy=1
fi
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
echo "install-deps: apt-get update"
apt-get update -q
echo "install-deps: apt-get install"
# apt's own lines (Get:, Unpacking, Setting up) are the progress.
apt-get install -y -q --no-install-recommends "${missing[@]}"
if [ $added_policy = 1 ]; then rm -f $policy; fi
echo "install-deps: done."
