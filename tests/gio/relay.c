/* A byte relay between two sockets for the GIO tests: what one end sends goes on to the other, with a look at every piece. */
#include "relay.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#define RELAY_BUF 65536
#define RELAY_TICK_MS 50

/* All of it, or FALSE when the far end is gone. */
static gboolean
send_all (int fd, const guint8 *p, gsize n)
{
  while (n > 0)
    {
      gssize w = send (fd, p, n, MSG_NOSIGNAL);

      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return FALSE;
      p += w;
      n -= (gsize) w;
    }
  return TRUE;
}

void
test_relay_run (TestRelay *r)
{
  guint8 *buf = g_malloc (RELAY_BUF);
  gboolean open[2] = { TRUE, TRUE };
  int idle = 0;

  while ((open[0] || open[1]) && !g_atomic_int_get (&r->stop))
    {
      /* A done direction's fd out of the poll (-1), which would otherwise
       * report its hang-up at once, again and again. */
      struct pollfd pfd[2] = { { open[0] ? r->fd[0] : -1, POLLIN, 0 }, { open[1] ? r->fd[1] : -1, POLLIN, 0 } };
      int ready = poll (pfd, 2, RELAY_TICK_MS), dir;

      if (ready < 0 && errno == EINTR)
        continue;
      if (ready < 0)
        break;
      if (ready == 0)
        {
          idle += RELAY_TICK_MS;
          if (r->idle_ms > 0 && idle >= r->idle_ms)
            break;
          continue;
        }
      idle = 0;
      for (dir = 0; dir < 2; dir++)
        {
          gssize n;
          gsize off, k;

          if (!(pfd[dir].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
          n = read (r->fd[dir], buf, RELAY_BUF);
          if (n <= 0)
            {
              shutdown (r->fd[1 - dir], SHUT_WR);
              open[dir] = FALSE;
              continue;
            }
          for (off = 0; off < (gsize) n; off += k)
            {
              k = (gsize) n - off;
              if (r->piece[dir] > 0 && k > r->piece[dir])
                k = r->piece[dir];
              /* The far end may have closed already (a close_notify left
               * unread is fine). */
              if (!send_all (r->fd[1 - dir], buf + off, k))
                {
                  open[dir] = FALSE;
                  break;
                }
              if (r->sent)
                r->sent (r->user_data, dir, buf + off, k);
            }
        }
    }
  g_free (buf);
}

static gpointer
relay_thread (gpointer data)
{
  test_relay_run (data);
  return NULL;
}

GThread *
test_relay_start (TestRelay *r)
{
  return g_thread_new ("relay", relay_thread, r);
}
