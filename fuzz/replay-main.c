/* Corpus replay: runs a fuzz target's LLVMFuzzerTestOneInput over every file in the given
 * directories or files, so normal (sanitizer) builds check the seed corpora without libFuzzer. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return -1;
  }
  size_t cap = 4096, len = 0;
  uint8_t *buf = malloc(cap);
  if (!buf) {
    fclose(f);
    return -1;
  }
  for (;;) {
    if (len == cap) {
      uint8_t *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        fclose(f);
        return -1;
      }
      buf = nb;
      cap *= 2;
    }
    size_t n = fread(buf + len, 1, cap - len, f);
    if (n == 0)
      break;
    len += n;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    fprintf(stderr, "%s: read error\n", path);
    return -1;
  }
  /* Exact-size copy so sanitizers see overreads past the input. */
  uint8_t *exact = malloc(len ? len : 1);
  if (!exact) {
    free(buf);
    return -1;
  }
  memcpy(exact, buf, len);
  free(buf);
  LLVMFuzzerTestOneInput(exact, len);
  free(exact);
  return 0;
}

int main(int argc, char **argv) {
  size_t files = 0;
  for (int i = 1; i < argc; i++) {
    struct stat st;
    if (stat(argv[i], &st) != 0) {
      perror(argv[i]);
      return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
      if (run_file(argv[i]) != 0)
        return 1;
      files++;
      continue;
    }
    DIR *d = opendir(argv[i]);
    if (!d) {
      perror(argv[i]);
      return 1;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
      if (de->d_name[0] == '.')
        continue;
      size_t n = strlen(argv[i]) + strlen(de->d_name) + 2;
      char *path = malloc(n);
      if (!path) {
        closedir(d);
        return 1;
      }
      snprintf(path, n, "%s/%s", argv[i], de->d_name);
      int reg = stat(path, &st) == 0 && S_ISREG(st.st_mode);
      int r = reg ? run_file(path) : 0;
      if (reg && r == 0)
        files++;
      free(path);
      if (r != 0) {
        closedir(d);
        return 1;
      }
    }
    closedir(d);
  }
  if (files == 0) {
    fprintf(stderr, "no corpus files found\n");
    return 1; /* an empty corpus is a setup error, not a pass */
  }
  printf("replayed %zu inputs\n", files);
  return 0;
}
