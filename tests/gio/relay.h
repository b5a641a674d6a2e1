/* A byte relay between two sockets for the GIO tests: what one end sends goes on to the other, with a look at every piece. */
#ifndef TLSLITE_TEST_RELAY_H
#define TLSLITE_TEST_RELAY_H

#include <glib.h>

G_BEGIN_DECLS

/* Called after each piece went on in direction `dir` (0: read from fd[0],
 * sent to fd[1]; 1: the other way). */
typedef void (*TestRelayFunc) (gpointer user_data, int dir, const guint8 *p, gsize n);

typedef struct
{
  int fd[2];          /* direction d reads fd[d] and writes fd[1 - d] */
  gsize piece[2];     /* direction d sends what it reads in pieces of at most
                       * piece[d] bytes, each its own send (0: as read) */
  TestRelayFunc sent; /* optional */
  gpointer user_data;
  int idle_ms;        /* end after this long without a byte (0: never) */
  gint stop;          /* set with g_atomic_int_set to end the relay */
} TestRelay;

/* Relay in the calling thread until both directions are done, idle_ms
 * passed without bytes, or stop was set (seen within 50 ms). A direction
 * is done when its end reaches end of file (passed on as a shutdown of the
 * other end's writing side) or fails, or when its bytes can no longer be
 * sent on (the far end closed). Neither fd is closed. */
void test_relay_run (TestRelay *r);

/* test_relay_run in a new thread (join it with g_thread_join). */
GThread *test_relay_start (TestRelay *r);

G_END_DECLS

#endif
