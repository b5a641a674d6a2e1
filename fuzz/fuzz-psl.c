/* libFuzzer target: Public Suffix List text (tc_psl_parse) and suffix look-ups. */
#include <stdlib.h>
#include <string.h>

#include "tlscore/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Input: the list text. Every line of it is then also asked about, as
 * written and without its first label, so look-ups hit the rules. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  tc_psl *psl = tc_psl_parse(text, size);
  /* Rules are case-insensitive ("!X" excepts "x"): the oracle below
   * searches a lower-case copy. */
  char *low = malloc(size + 1);
  if (!low) {
    tc_psl_free(psl);
    return 0;
  }
  for (size_t k = 0; k < size; k++)
    low[k] = (text[k] >= 'A' && text[k] <= 'Z') ? (char)(text[k] - 'A' + 'a') : text[k];
  if (psl && tc_psl_rules(psl) == 0)
    abort(); /* a list is returned only with rules */
  for (size_t i = 0; i < size;) {
    const char *nl = memchr(text + i, '\n', size - i);
    size_t end = nl ? (size_t)(nl - text) : size;
    const char *line = text + i;
    size_t len = end - i;
    bool whole = tc_psl_is_public_suffix(psl, line, len);
    const char *dot = memchr(line, '.', len);
    if (dot)
      (void)tc_psl_is_public_suffix(psl, dot + 1, len - (size_t)(dot + 1 - line));
    /* A rule kept as written is found as written. */
    if (psl && len > 0 && len < 200 && line[0] >= 'a' && line[0] <= 'z' && !memchr(line, '\r', len) &&
        !memchr(line, ' ', len) && !memchr(line, '\t', len) && !memchr(line, '*', len) &&
        !memchr(line, '!', len) && !whole) {
      bool plain = true;
      for (size_t k = 0; k < len; k++) {
        char c = line[k];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || (c == '.' && k + 1 < len && line[k + 1] != '.')))
          plain = false;
      }
      /* ...unless an exception rule for the same name comes elsewhere. */
      char probe[210];
      probe[0] = '!';
      memcpy(probe + 1, line, len);
      if (plain && line[len - 1] != '.' && !memmem(low, size, probe, len + 1))
        abort();
    }
    i = end + 1;
  }
  free(low);
  tc_psl_free(psl);
  return 0;
}
