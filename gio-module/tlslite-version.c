/* tlslite-gio: the run-time version of the library (tlslite-version.h). */
#include <tlslite-gio/tlslite.h>

/**
 * tlslite_get_major_version:
 *
 * The major version of the library loaded at run time (compare
 * %TLSLITE_MAJOR_VERSION, the version a program was compiled against).
 *
 * Returns: the major version number
 */
guint
tlslite_get_major_version (void)
{
  return TLSLITE_MAJOR_VERSION;
}

/**
 * tlslite_get_minor_version:
 *
 * The minor version of the library loaded at run time.
 *
 * Returns: the minor version number
 */
guint
tlslite_get_minor_version (void)
{
  return TLSLITE_MINOR_VERSION;
}

/**
 * tlslite_get_micro_version:
 *
 * The micro version of the library loaded at run time.
 *
 * Returns: the micro version number
 */
guint
tlslite_get_micro_version (void)
{
  return TLSLITE_MICRO_VERSION;
}

/**
 * tlslite_get_version:
 *
 * The version of the library loaded at run time, as a string.
 *
 * Returns: (transfer none): the version, e.g. "0.1.0"
 */
const char *
tlslite_get_version (void)
{
  return TLSLITE_VERSION_STRING;
}

/**
 * tlslite_check_version:
 * @major: the required major version
 * @minor: the required minor version
 * @micro: the required micro version
 *
 * Run-time check that the loaded library is compatible with version
 * @major.@minor.@micro: the same major version and not older.
 *
 * Returns: %TRUE if the loaded library is compatible
 */
gboolean
tlslite_check_version (guint major, guint minor, guint micro)
{
  if (major != TLSLITE_MAJOR_VERSION)
    return FALSE;
  if (minor != TLSLITE_MINOR_VERSION)
    return minor < TLSLITE_MINOR_VERSION;
  return micro <= TLSLITE_MICRO_VERSION;
}
