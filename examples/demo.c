/* Demo: a tlscore server and client in one process, talking TLS 1.3 over a real loopback TCP socket. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tlscore/config.h"
#include "tlscore/conn.h"
#include "tlscore/x509.h"

#ifndef DEMO_DATA_DIR
#error "DEMO_DATA_DIR must name the directory with the test certificates"
#endif

/* One side of the connection: a socket and the engine that speaks TLS on it. */
typedef struct {
  const char *name;
  int fd;
  tc_conn *tls;
} end;

static void die(const char *what, const end *e)
{
  if (e != NULL && (tc_conn_status(e->tls) & TC_S_FAILED))
    fprintf(stderr, "demo: %s: %s: %s\n", e->name, what, tc_conn_error(e->tls)->message);
  else
    fprintf(stderr, "demo: %s\n", what);
  exit(1);
}

static uint8_t *read_file(const char *name, size_t *len)
{
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", DEMO_DATA_DIR, name);
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "demo: cannot open %s: %s\n", path, strerror(errno));
    exit(1);
  }
  uint8_t *buf = malloc(65536);
  if (buf == NULL)
    die("out of memory", NULL);
  *len = fread(buf, 1, 65536, f);
  fclose(f);
  return buf;
}

/* Move bytes between the socket and the engine without blocking. */
static void pump(end *e)
{
  size_t len;
  const uint8_t *out;
  while ((out = tc_conn_output(e->tls, &len)) != NULL && len > 0) {
    ssize_t n = send(e->fd, out, len, MSG_NOSIGNAL);
    if (n <= 0)
      break;
    tc_conn_output_ack(e->tls, (size_t)n);
  }
  while (tc_conn_status(e->tls) & TC_S_INPUT) {
    size_t cap;
    uint8_t *buf = tc_conn_input_buf(e->tls, &cap);
    ssize_t n = recv(e->fd, buf, cap, 0);
    if (n == 0)
      tc_conn_input_eof(e->tls);
    if (n <= 0)
      break;
    tc_conn_input_ack(e->tls, (size_t)n);
  }
  while ((out = tc_conn_output(e->tls, &len)) != NULL && len > 0) {
    ssize_t n = send(e->fd, out, len, MSG_NOSIGNAL);
    if (n <= 0)
      break;
    tc_conn_output_ack(e->tls, (size_t)n);
  }
  if (tc_conn_status(e->tls) & TC_S_FAILED)
    die("TLS failed", e);
}

/* Wait (at most 100 ms) until one socket can move, then pump both sides. */
static void step(end *a, end *b)
{
  struct pollfd p[2] = {{.fd = a->fd, .events = POLLIN}, {.fd = b->fd, .events = POLLIN}};
  poll(p, 2, 100);
  pump(a);
  pump(b);
}

/* Read whatever application data arrived on e (0 if none yet). */
static size_t try_read(end *e, char *buf, size_t cap)
{
  size_t n = 0;
  int rc = tc_conn_read(e->tls, (uint8_t *)buf, cap - 1, &n);
  if (rc == TC_FAIL)
    die("read failed", e);
  if (rc != TC_OK)
    n = 0;
  buf[n] = '\0';
  return n;
}

static void send_text(end *e, const char *text)
{
  size_t n = 0;
  if (tc_conn_write(e->tls, (const uint8_t *)text, strlen(text), &n) != TC_OK ||
      n != strlen(text))
    die("write failed", e);
}

int main(void)
{
  tc_error err;
  tc_error_clear(&err);

  /* Credentials: the server's RSA chain and key, the CA for the client. */
  size_t len;
  uint8_t *data = read_file("server-rsa.pem", &len);
  tc_cert **chain = NULL;
  size_t nchain = tc_certs_parse(data, len, &chain, &err);
  free(data);
  data = read_file("server-rsa-key.pem", &len);
  tc_privkey *key = tc_privkey_parse(data, len, NULL, &err);
  free(data);
  data = read_file("ca-rsa.pem", &len);
  tc_trust_store *anchors = tc_trust_store_new();
  size_t nanchors = tc_trust_store_add_data(anchors, data, len, &err);
  free(data);
  if (nchain == 0 || key == NULL || nanchors == 0) {
    fprintf(stderr, "demo: cannot load the certificates: %s\n", err.message);
    return 1;
  }

  tc_config *scfg = tc_config_new(TC_ROLE_SERVER);
  if (tc_config_add_cert_chain(scfg, chain, nchain, key, &err) != TC_OK) {
    fprintf(stderr, "demo: %s\n", err.message);
    return 1;
  }
  tc_config *ccfg = tc_config_new(TC_ROLE_CLIENT);
  tc_config_set_trust_store(ccfg, anchors);

  /* A listening socket on an ephemeral loopback port, and a client for it. */
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t alen = sizeof addr;
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 1) < 0 ||
      getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0)
    die("cannot listen on 127.0.0.1", NULL);
  int cfd = socket(AF_INET, SOCK_STREAM, 0);
  if (cfd < 0 || connect(cfd, (struct sockaddr *)&addr, sizeof addr) < 0)
    die("cannot connect", NULL);
  int sfd = accept(lfd, NULL, NULL);
  if (sfd < 0)
    die("accept failed", NULL);
  close(lfd);
  fcntl(cfd, F_SETFL, O_NONBLOCK);
  fcntl(sfd, F_SETFL, O_NONBLOCK);
  printf("loopback TCP connection on 127.0.0.1:%u\n", ntohs(addr.sin_port));

  end client = {"client", cfd, tc_conn_new(ccfg, &err)};
  end server = {"server", sfd, tc_conn_new(scfg, &err)};
  if (client.tls == NULL || server.tls == NULL)
    die("cannot create connections", NULL);
  tc_conn_set_server_name(client.tls, "localhost");

  /* Handshake: both engines run until they report READY (bounded: 10 s). */
  int rounds = 0;
  while (!(tc_conn_status(client.tls) & TC_S_READY) ||
         !(tc_conn_status(server.tls) & TC_S_READY)) {
    if (++rounds > 100)
      die("handshake timed out", NULL);
    step(&client, &server);
  }

  char buf[256];
  send_text(&client, "hello over TLS 1.3");
  rounds = 0;
  while (try_read(&server, buf, sizeof buf) == 0) {
    if (++rounds > 100)
      die("no message arrived at the server", NULL);
    step(&client, &server);
  }
  printf("server received: %s\n", buf);
  send_text(&server, "hello back from the server");
  rounds = 0;
  while (try_read(&client, buf, sizeof buf) == 0) {
    if (++rounds > 100)
      die("no answer arrived at the client", NULL);
    step(&client, &server);
  }
  printf("client received: %s\n", buf);

  const tc_conn *c = client.tls;
  char *subject = NULL;
  tc_cert *const *peer = NULL;
  if (tc_conn_peer_chain(c, &peer) > 0)
    subject = tc_cert_subject_string(peer[0]);
  printf("version: %s\ncipher suite: %s\ngroup: %s\nserver certificate: %s (verified)\n",
         tc_version_name(tc_conn_version(c)), tc_cipher_suite_name(tc_conn_cipher_suite(c)),
         tc_group_name(tc_conn_group(c)), subject != NULL ? subject : "?");
  int ok = tc_conn_version(c) == TC_TLS13 && strcmp(buf, "hello back from the server") == 0;
  free(subject);

  /* Orderly close: both sides send close_notify. */
  tc_conn_close(client.tls);
  tc_conn_close(server.tls);
  pump(&client);
  pump(&server);

  tc_conn_free(client.tls);
  tc_conn_free(server.tls);
  close(cfd);
  close(sfd);
  tc_config_unref(scfg);
  tc_config_unref(ccfg);
  tc_trust_store_unref(anchors);
  tc_privkey_unref(key);
  for (size_t i = 0; i < nchain; i++)
    tc_cert_unref(chain[i]);
  free(chain);
  return ok ? 0 : 1;
}
