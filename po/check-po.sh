#!/bin/sh
# Test: every language in LINGUAS is complete (0 fuzzy, 0 untranslated) and
# knows every msgid a freshly extracted template has (sources and .po in step).
# Usage: check-po.sh SRCROOT
set -eu
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Same extraction as i18n.gettext(preset: 'glib') runs for tlslite-gio-pot.
(cd "$src" && grep -v '^#' po/POTFILES.in | grep -v '^$' > "$tmp/files" &&
 xgettext --from-code=UTF-8 --add-comments --files-from="$tmp/files" \
   --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
   --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
   --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
   --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
   --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
   --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
   --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
   --flag=g_print:1:c-format --flag=g_printerr:1:c-format \
   --flag=g_printf:1:c-format --flag=g_fprintf:2:c-format \
   --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format \
   -o "$tmp/fresh.pot")
# Every source of the module, the library and the tool with marked strings is in POTFILES.in.
missing=$(cd "$src" && grep -l -E '\b(N?_|C_|NC_)\("' gio-module/*.c gio-module/*/*.c tools/*.c 2>/dev/null |
          grep -vxF -f "$tmp/files" || true)
if [ -n "$missing" ]; then
  echo "not in po/POTFILES.in, though they have translatable strings:" $missing
  exit 1
fi

n=$(grep -c '^msgid ' "$tmp/fresh.pot")
echo "fresh template: $((n - 1)) messages"
[ "$n" -gt 1 ] || { echo "no messages extracted"; exit 1; }

status=0
for lang in $(grep -v '^#' "$src/po/LINGUAS"); do
  po="$src/po/$lang.po"
  # -c checks format strings and the header as well.
  stats=$(LC_ALL=C msgfmt -c --statistics -o /dev/null "$po" 2>&1) || { echo "$stats"; status=1; continue; }
  echo "$lang: $stats"
  case "$stats" in
    *fuzzy*|*untranslated*) echo "$lang: incomplete"; status=1 ;;
  esac
  # Every msgid of the fresh template must be in the .po (msgcmp reports the missing ones).
  if ! LC_ALL=C msgcmp "$po" "$tmp/fresh.pot"; then
    echo "$lang: out of date with the sources; run: meson compile -C build tlslite-gio-update-po"
    status=1
  fi
done
exit $status
