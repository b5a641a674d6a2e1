#!/usr/bin/env python3
"""libtlslite-gio-1's exported ABI: only tlslite_* (public) and
_tlslite_gio_* (the module's entry) symbols, nothing of tlscore; the module
exports only GIO's entry points; the public names appear in the headers."""
import re
import subprocess
import sys


def exported(path):
    out = subprocess.run(['nm', '-D', '--defined-only', path], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] in 'TtDdBbRrVvWwi':
            names.add(parts[2].split('@')[0])
    # The version node itself shows up as an absolute symbol.
    names.discard('TLSLITE_GIO_1.0')
    return names


def main():
    lib, module, *headers = sys.argv[1:]
    bad = []
    lib_syms = exported(lib)
    for s in sorted(lib_syms):
        if not (s.startswith('tlslite_') or s.startswith('_tlslite_gio_')):
            bad.append('library exports %s' % s)
    if 'tlslite_get_version' not in lib_syms:
        bad.append('library does not export tlslite_get_version')
    for s in sorted(exported(module)):
        if s not in ('g_io_tlslite_load', 'g_io_tlslite_unload', 'g_io_tlslite_query'):
            bad.append('module exports %s' % s)
    # Every exported public function is declared in a public header.
    text = ''.join(open(h, encoding='utf-8').read() for h in headers)
    # G_DECLARE_{FINAL,DERIVABLE}_TYPE (Type, prefix_name, ...) declares prefix_name_get_type ().
    for m in re.finditer(r'G_DECLARE_(?:FINAL|DERIVABLE)_TYPE\s*\(\s*\w+\s*,\s*(\w+)\s*,', text):
        text += '\n%s_get_type (void);' % m.group(1)
    for s in sorted(lib_syms):
        if s.startswith('tlslite_') and not re.search(r'\b%s\s*\(' % re.escape(s), text):
            bad.append('%s is exported but not declared in a public header' % s)
    for b in bad:
        print(b)
    print('%d exported library symbols checked' % len(lib_syms))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
