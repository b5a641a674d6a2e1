/* tlslite-gio: the umbrella header of the public library; programs include only this file. */
#ifndef TLSLITE_H
#define TLSLITE_H

#define __TLSLITE_H_INSIDE__

/* One #include line per topic header; keep tlslite-version.h first (it
 * defines the export macros the others use). */
#include <tlslite-gio/tlslite-version.h>
#include <tlslite-gio/tlslite-settings.h>
#include <tlslite-gio/tlslite-alert.h>
#include <tlslite-gio/tlslite-pins.h>
#include <tlslite-gio/tlslite-session-cache.h>
#include <tlslite-gio/tlslite-auth-error.h>
#include <tlslite-gio/tlslite-interaction.h>
#include <tlslite-gio/tlslite-verifier-database.h>
#include <tlslite-gio/tlslite-shared-key-database.h>
#include <tlslite-gio/tlslite-client-unknown.h>

#undef __TLSLITE_H_INSIDE__

#endif /* TLSLITE_H */
