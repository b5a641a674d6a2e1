/* Trust stores: a refcounted set of anchor certificates with lookup by subject. */
#include <stdlib.h>
#include <string.h>

#include "x509/x509_internal.h"

struct tc_trust_store {
  atomic_int refs;
  tc_cert **certs;
  size_t n, cap;
};

tc_trust_store *tc_trust_store_new(void) {
  tc_trust_store *s = calloc(1, sizeof *s);
  if (s)
    atomic_init(&s->refs, 1);
  return s;
}

tc_trust_store *tc_trust_store_ref(tc_trust_store *store) {
  if (store)
    atomic_fetch_add(&store->refs, 1);
  return store;
}

void tc_trust_store_unref(tc_trust_store *store) {
  if (!store || atomic_fetch_sub(&store->refs, 1) != 1)
    return;
  for (size_t i = 0; i < store->n; i++)
    tc_cert_unref(store->certs[i]);
  free(store->certs);
  free(store);
}

int tc_trust_store_add(tc_trust_store *store, tc_cert *cert) {
  if (!store || !cert)
    return TC_FAIL;
  for (size_t i = 0; i < store->n; i++)
    if (tc_cert_equal(store->certs[i], cert))
      return TC_OK; /* already there */
  if (store->n == store->cap) {
    size_t nc = store->cap ? store->cap * 2 : 16;
    tc_cert **nb = realloc(store->certs, nc * sizeof *nb);
    if (!nb)
      return TC_FAIL;
    store->certs = nb;
    store->cap = nc;
  }
  store->certs[store->n++] = tc_cert_ref(cert);
  return TC_OK;
}

size_t tc_trust_store_add_data(tc_trust_store *store, const uint8_t *data, size_t len, tc_error *err) {
  static const char tag[] = "-----BEGIN ";
  bool pem = false;
  for (size_t i = 0; data && i + sizeof tag - 1 <= len && !pem; i++)
    pem = memcmp(data + i, tag, sizeof tag - 1) == 0;
  size_t before = store ? store->n : 0;
  if (!store || !data || len == 0) {
    tc_error_set(err, TC_ERR_BAD_INPUT, "no certificate data");
    return 0;
  }
  if (!pem) {
    tc_cert *c = tc_cert_parse_der(data, len, err);
    if (!c)
      return 0;
    if (tc_trust_store_add(store, c) != TC_OK)
      tc_error_set(err, TC_ERR_NOMEM, "out of memory");
    tc_cert_unref(c);
    return store->n - before;
  }
  tc_pem_block *blocks;
  size_t nb = tc_pem_decode((const char *)data, len, &blocks, err);
  size_t bad = 0;
  for (size_t i = 0; i < nb; i++) {
    if (strcmp(blocks[i].label, "CERTIFICATE") != 0 && strcmp(blocks[i].label, "X509 CERTIFICATE") != 0)
      continue;
    /* A system bundle may hold a certificate we cannot parse; skipping it
     * must not lose the others. */
    tc_error e;
    tc_error_clear(&e);
    tc_cert *c = tc_cert_parse_der(blocks[i].der, blocks[i].len, &e);
    if (!c) {
      bad++;
      continue;
    }
    if (tc_trust_store_add(store, c) != TC_OK)
      tc_error_set(err, TC_ERR_NOMEM, "out of memory");
    tc_cert_unref(c);
  }
  tc_pem_blocks_free(blocks, nb);
  if (store->n == before && (bad || nb == 0))
    tc_error_set(err, TC_ERR_BAD_INPUT, "no usable certificate found");
  return store->n - before;
}

size_t tc_trust_store_count(const tc_trust_store *store) { return store ? store->n : 0; }

tc_cert *tc_trust_store_get(const tc_trust_store *store, size_t i) {
  return store && i < store->n ? store->certs[i] : NULL;
}

size_t tc_trust_store_find_by_subject(const tc_trust_store *store, const uint8_t *name_der,
                                      size_t len, tc_cert ***out) {
  *out = NULL;
  if (!store)
    return 0;
  der name = der_view(name_der, len);
  size_t n = 0;
  for (size_t i = 0; i < store->n; i++)
    if (tc_name_eq(&store->certs[i]->subject, &name))
      n++;
  if (n == 0)
    return 0;
  *out = malloc(n * sizeof **out);
  if (!*out)
    return 0;
  n = 0;
  for (size_t i = 0; i < store->n; i++)
    if (tc_name_eq(&store->certs[i]->subject, &name))
      (*out)[n++] = store->certs[i];
  return n;
}
