/* tlscore error model: one enum for local failures and TLS alerts, latched per connection. */
#ifndef TLSCORE_ERRORS_H
#define TLSCORE_ERRORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status returned by engine calls that may need the caller to act.
 * Negative values are errors (details in tc_error). */
enum {
  TC_OK = 0,        /* done */
  TC_AGAIN = 1,     /* needs network I/O (feed input or drain output) */
  TC_WANT = 2,      /* paused on a want: see tc_conn_want() */
  TC_EOF = 3,       /* peer sent close_notify; no more application data */
  TC_FAIL = -1      /* failed; the error is latched, see tc_conn_error() */
};

/* Error codes. The TLS alert-shaped ones carry the alert description
 * (RFC 8446 §6) as their value so the mapping is exact; local-only
 * conditions live above 255. */
typedef enum {
  TC_ERR_NONE = -1,
  TC_ERR_CLOSE_NOTIFY = 0,
  TC_ERR_UNEXPECTED_MESSAGE = 10,
  TC_ERR_BAD_RECORD_MAC = 20,
  TC_ERR_DECRYPTION_FAILED = 21,
  TC_ERR_RECORD_OVERFLOW = 22,
  TC_ERR_DECOMPRESSION_FAILURE = 30,
  TC_ERR_HANDSHAKE_FAILURE = 40,
  TC_ERR_NO_CERTIFICATE = 41,
  TC_ERR_BAD_CERTIFICATE = 42,
  TC_ERR_UNSUPPORTED_CERTIFICATE = 43,
  TC_ERR_CERTIFICATE_REVOKED = 44,
  TC_ERR_CERTIFICATE_EXPIRED = 45,
  TC_ERR_CERTIFICATE_UNKNOWN = 46,
  TC_ERR_ILLEGAL_PARAMETER = 47,
  TC_ERR_UNKNOWN_CA = 48,
  TC_ERR_ACCESS_DENIED = 49,
  TC_ERR_DECODE_ERROR = 50,
  TC_ERR_DECRYPT_ERROR = 51,
  TC_ERR_EXPORT_RESTRICTION = 60,
  TC_ERR_PROTOCOL_VERSION = 70,
  TC_ERR_INSUFFICIENT_SECURITY = 71,
  TC_ERR_INTERNAL_ERROR = 80,
  TC_ERR_INAPPROPRIATE_FALLBACK = 86,
  TC_ERR_USER_CANCELED = 90,
  TC_ERR_NO_RENEGOTIATION = 100,
  TC_ERR_MISSING_EXTENSION = 109,
  TC_ERR_UNSUPPORTED_EXTENSION = 110,
  TC_ERR_CERTIFICATE_UNOBTAINABLE = 111,
  TC_ERR_UNRECOGNIZED_NAME = 112,
  TC_ERR_BAD_CERTIFICATE_STATUS_RESPONSE = 113,
  TC_ERR_BAD_CERTIFICATE_HASH_VALUE = 114,
  TC_ERR_UNKNOWN_PSK_IDENTITY = 115,
  TC_ERR_CERTIFICATE_REQUIRED = 116,
  TC_ERR_NO_APPLICATION_PROTOCOL = 120,

  /* Local conditions (never sent as such; mapped to an alert by
   * tc_error_alert_for() when one must go on the wire). */
  TC_ERR_NOMEM = 256,          /* allocation failed */
  TC_ERR_INVALID_ARGUMENT,     /* API misuse: bad parameter or state */
  TC_ERR_BAD_INPUT,            /* a file or encoding (PEM, DER, key) is malformed */
  TC_ERR_BAD_PASSWORD,         /* encrypted key or PKCS#12 password wrong/missing */
  TC_ERR_UNSUPPORTED,          /* a valid input we do not implement */
  TC_ERR_ABRUPT_EOF,           /* transport closed without close_notify */
  TC_ERR_CLOSED,               /* operation on a closed connection */
  TC_ERR_NOT_TLS,              /* the peer does not speak TLS at all */
  TC_ERR_RANDOM,               /* the system random source failed */
  TC_ERR_STORAGE,              /* a database or file could not be opened, read or written */
  TC_ERR_EXISTS                /* the user or identity to add is already there */
} tc_err;

/* A latched error: what went wrong, which alert went (or came) over the wire,
 * and a short English message for humans. */
typedef struct tc_error {
  tc_err code;     /* TC_ERR_NONE when no error */
  int alert;       /* alert description sent or received, -1 if none */
  bool remote;     /* true: the peer sent this alert to us */
  char message[200];
} tc_error;

/* Reset to "no error". */
void tc_error_clear(tc_error *err);

/* Record an error unless one is already recorded (errors latch: the first
 * one wins). Returns TC_FAIL for convenient `return tc_error_set(...)`. */
int tc_error_set(tc_error *err, tc_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), cold));

/* The alert description to send for a local error code (decode_error for
 * TC_ERR_BAD_INPUT, internal_error for TC_ERR_NOMEM, ...). */
int tc_error_alert_for(tc_err code);

/* RFC name of an alert description ("handshake_failure"), or "unknown". */
const char *tc_alert_name(int alert);

/* Short English description of an error code. */
const char *tc_err_name(tc_err code);

#ifdef __cplusplus
}
#endif
#endif
