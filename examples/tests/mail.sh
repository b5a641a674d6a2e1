#!/usr/bin/env bash
# examples/mail-client against Debian's Dovecot (IMAP over implicit TLS, IMAP with STARTTLS,
# POP3 over implicit TLS) and Postfix (submission with STARTTLS and SMTP AUTH, delivering to
# Dovecot over LMTP): the message submitted is then found over IMAP and POP3.
# Usage: mail.sh BUILD_DIR DATA_DIR
. "$(dirname "$0")/lib.sh"
bin=$1 data=$2
dovecot=$(command -v dovecot || echo /usr/sbin/dovecot)
postfix=$(command -v postfix || echo /usr/sbin/postfix)
[ -x "$dovecot" ] || fail "dovecot is not installed (run scripts/install-deps.sh)"
[ -x "$postfix" ] || fail "postfix is not installed (run scripts/install-deps.sh)"
# Both daemons switch users (mail owner, login processes): CI and this test run as root.
[ "$(id -u)" = 0 ] || fail "Dovecot and Postfix need to be started as root"

p_imap=$(free_port); p_imaps=$(free_port); p_pop3s=$(free_port); p_lmtp=$(free_port)
p_auth=$(free_port); p_sub=$(free_port)
user=alice password="correct horse $RANDOM"
mkdir -p "$tmp/dovecot/run" "$tmp/dovecot/state" "$tmp/mail"
chown nobody:nogroup "$tmp/mail"
printf '%s:{PLAIN}%s::::::\n' "$user" "$password" > "$tmp/dovecot/users"
chmod 644 "$tmp/dovecot/users"
dh=""; [ -f /usr/share/dovecot/dh.pem ] && dh="ssl_dh = </usr/share/dovecot/dh.pem"
cat > "$tmp/dovecot/dovecot.conf" <<CONF
base_dir = $tmp/dovecot/run
state_dir = $tmp/dovecot/state
log_path = $tmp/dovecot.log
protocols = imap pop3 lmtp
listen = 127.0.0.1
ssl = yes
ssl_cert = <$data/server-rsa.pem
ssl_key = <$data/server-rsa-key.pem
$dh
# No password in the clear from other hosts (Dovecot counts a loopback client as secured, so on
# 127.0.0.1 it is the client that upgrades before LOGIN).
disable_plaintext_auth = yes
# The test tries three wrong passwords from one IP: no failure delay, and no growing per-IP
# penalty (anvil's 2, 4, 8 s; switched off the way Dovecot's "Authentication penalty" page says).
auth_failure_delay = 0
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
auth_mechanisms = plain login
auth_username_format = %Ln
mail_location = maildir:$tmp/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN $tmp/dovecot/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$tmp/mail/%u
}
service imap-login {
  inet_listener imap {
    port = $p_imap
  }
  inet_listener imaps {
    port = $p_imaps
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = $p_pop3s
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $p_lmtp
  }
}
# Postfix asks Dovecot to check SMTP AUTH passwords over this socket.
service auth {
  inet_listener {
    address = 127.0.0.1
    port = $p_auth
  }
}
CONF
"$dovecot" -F -c "$tmp/dovecot/dovecot.conf" > "$tmp/dovecot.out" 2> "$tmp/dovecot.err" &
pids+=($!)
for p in $p_imap $p_imaps $p_pop3s $p_lmtp $p_auth; do wait_port $p || fail "dovecot did not start"; done

pf=$tmp/postfix
mkdir -p "$pf/spool" "$pf/data"
chown postfix "$pf/data"
cat > "$pf/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $pf/spool
data_directory = $pf/data
maillog_file = /dev/stdout
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mail.example.test
mydestination =
alias_maps =
alias_database =
smtputf8_enable = no
virtual_mailbox_domains = example.test
virtual_transport = lmtp:inet:127.0.0.1:$p_lmtp
smtpd_tls_cert_file = $data/server-rsa.pem
smtpd_tls_key_file = $data/server-rsa-key.pem
smtpd_tls_security_level = encrypt
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:$p_auth
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
CONF
# Only the services a submission and an LMTP delivery need, none chrooted.
cat > "$pf/master.cf" <<CONF
$p_sub    inet  n - n - - smtpd
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
lmtp      unix  - - n - - lmtp
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
tlsmgr    unix  - - n 1000? 1 tlsmgr
postlog   unix-dgram n - n - 1 postlogd
CONF
"$postfix" -c "$pf" start-fg > "$tmp/postfix.out" 2> "$tmp/postfix.err" &
pids+=($!)
# The master daemon forks away from the command; stop it by its own command too, and abort it
# if it has not stopped within three seconds ("postfix status" fails once it is gone).
stop_postfix() {
  "$postfix" -c "$pf" stop
  for _ in $(seq 30); do
    "$postfix" -c "$pf" status > /dev/null 2>&1 || return 0
    sleep 0.1
  done
  "$postfix" -c "$pf" abort
}
stop_cmds+=(stop_postfix)
wait_port $p_sub || fail "postfix did not start"

mail() { timeout 30 "$bin/mail-client" "$@" --ca "$data/ca-rsa.pem" --user $user --password "$password"; }

subject="tlslite integration $(date +%s) $RANDOM"
mail smtp-starttls --port $p_sub --to "$user@example.test" --subject "$subject" \
  > "$tmp/smtp.out" 2> "$tmp/smtp.err" || fail "SMTP submission"
expect_backend "$tmp/smtp.err"
grep -q '^-- TLS: TLS 1.3' "$tmp/smtp.out" || fail "SMTP: no TLS 1.3 after STARTTLS"
grep -q '^S: 235 ' "$tmp/smtp.out" || fail "SMTP AUTH not accepted"

# Delivery goes through Postfix's queue and LMTP: poll until the message is in the mailbox.
found=0
for _ in $(seq 50); do
  if mail imaps --port $p_imaps --subject "$subject" > "$tmp/imaps.out" 2> "$tmp/imaps.err"; then
    found=1; break
  fi
  sleep 0.2
done
[ $found = 1 ] || fail "the submitted message never reached the mailbox over IMAP"
grep -q '^-- TLS: TLS 1.3' "$tmp/imaps.out" || fail "IMAPS: not TLS 1.3"
grep -q '^-- 1 mailbox(es), INBOX holds 1 message(s)$' "$tmp/imaps.out" || fail "IMAPS: mailbox listing"

mail imap-starttls --port $p_imap --subject "$subject" > "$tmp/imap.out" 2> "$tmp/imap.err" \
  || fail "IMAP with STARTTLS"
grep -q '^S: a1 OK' "$tmp/imap.out" || fail "IMAP: STARTTLS not accepted"
grep -q '^-- TLS: TLS 1.3' "$tmp/imap.out" || fail "IMAP: no TLS 1.3 after STARTTLS"
grep -q '^-- found the message' "$tmp/imap.out" || fail "IMAP STARTTLS: message not found"

mail pop3s --port $p_pop3s --subject "$subject" > "$tmp/pop3.out" 2> "$tmp/pop3.err" || fail "POP3S"
grep -q '^-- the mailbox holds 1 message(s)$' "$tmp/pop3.out" || fail "POP3S: message count"
grep -q '^-- found the message' "$tmp/pop3.out" || fail "POP3S: message not found"

# A wrong password is refused over every protocol, by the server's own answer (not a TLS failure).
bad() { timeout 30 "$bin/mail-client" "$@" --ca "$data/ca-rsa.pem" --user $user --password "wrong $password"; }
refused bad imaps --port $p_imaps > "$tmp/bad-imap.out" 2> "$tmp/bad-imap.err" \
  || fail "IMAP did not refuse a wrong password"
grep -q '^S: .* NO \[AUTHENTICATIONFAILED\]' "$tmp/bad-imap.out" || fail "IMAP: no AUTHENTICATIONFAILED"
refused bad pop3s --port $p_pop3s > "$tmp/bad-pop3.out" 2> "$tmp/bad-pop3.err" \
  || fail "POP3 did not refuse a wrong password"
grep -q '^S: -ERR \[AUTH\]' "$tmp/bad-pop3.out" || fail "POP3: no -ERR [AUTH]"
refused bad smtp-starttls --port $p_sub --to "$user@example.test" > "$tmp/bad-smtp.out" \
  2> "$tmp/bad-smtp.err" || fail "SMTP did not refuse a wrong password"
grep -q '^S: 535 ' "$tmp/bad-smtp.out" || fail "SMTP: no 535 for a wrong password"

cat "$tmp/smtp.out" "$tmp/imap.out"
echo "PASS: mail over TLS with Dovecot $(dpkg-query -W -f='${Version}' dovecot-core 2>/dev/null) and Postfix $(dpkg-query -W -f='${Version}' postfix 2>/dev/null)"
