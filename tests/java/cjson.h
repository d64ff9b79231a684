/*
 * cjson.h - JSON-line output for c_producer.c / c_consumer.c (header-only, C99).
 *
 * One object per line: jo_begin(&j) ... jo_str/jo_int/jo_b64/... ... jo_end(&j) prints it to
 * stdout (under a mutex, flushed). Strings are written as UTF-8 with ", \ and control characters
 * escaped; NULL is written as null.
 */
#ifndef TESTS_JAVA_CJSON_H
#define TESTS_JAVA_CJSON_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char* buf;
  size_t len, cap;
  int fields; /* fields written at the current nesting level (for commas) */
  int saved;  /* outer level's count while inside jo_obj_begin */
} Jo;

static pthread_mutex_t jo_mutex = PTHREAD_MUTEX_INITIALIZER;

static void jo_put(Jo* j, const char* s, size_t n) {
  if (j->len + n + 1 > j->cap) {
    size_t cap = j->cap ? j->cap : 256;
    while (j->len + n + 1 > cap)
      cap *= 2;
    j->buf = (char*)realloc(j->buf, cap);
    if (j->buf == NULL) {
      perror("realloc");
      exit(3);
    }
    j->cap = cap;
  }
  memcpy(j->buf + j->len, s, n);
  j->len += n;
  j->buf[j->len] = 0;
}

static void jo_puts(Jo* j, const char* s) { jo_put(j, s, strlen(s)); }

static void jo_qstr(Jo* j, const char* s) {
  if (s == NULL) {
    jo_puts(j, "null");
    return;
  }
  jo_puts(j, "\"");
  for (const unsigned char* p = (const unsigned char*)s; *p; p++) {
    char tmp[8];
    switch (*p) {
      case '"': jo_puts(j, "\\\""); break;
      case '\\': jo_puts(j, "\\\\"); break;
      case '\n': jo_puts(j, "\\n"); break;
      case '\r': jo_puts(j, "\\r"); break;
      case '\t': jo_puts(j, "\\t"); break;
      default:
        if (*p < 0x20 || *p == 0x7f) {
          snprintf(tmp, sizeof tmp, "\\u%04x", *p);
          jo_puts(j, tmp);
        } else {
          jo_put(j, (const char*)p, 1);
        }
    }
  }
  jo_puts(j, "\"");
}

static void jo_key(Jo* j, const char* k) {
  if (j->fields++)
    jo_puts(j, ",");
  jo_qstr(j, k);
  jo_puts(j, ":");
}

static void jo_begin(Jo* j) {
  memset(j, 0, sizeof *j);
  jo_puts(j, "{");
}

static void jo_str(Jo* j, const char* k, const char* v) {
  jo_key(j, k);
  jo_qstr(j, v);
}

static void jo_int(Jo* j, const char* k, long long v) {
  char tmp[32];
  jo_key(j, k);
  snprintf(tmp, sizeof tmp, "%lld", v);
  jo_puts(j, tmp);
}

static void jo_b64(Jo* j, const char* k, const unsigned char* data, int len) {
  static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  jo_key(j, k);
  if (data == NULL || len < 0) {
    jo_puts(j, "null");
    return;
  }
  jo_puts(j, "\"");
  for (int i = 0; i < len; i += 3) {
    unsigned v = (unsigned)data[i] << 16;
    if (i + 1 < len)
      v |= (unsigned)data[i + 1] << 8;
    if (i + 2 < len)
      v |= data[i + 2];
    char out[4] = {tbl[(v >> 18) & 63], tbl[(v >> 12) & 63], i + 1 < len ? tbl[(v >> 6) & 63] : '=',
                   i + 2 < len ? tbl[v & 63] : '='};
    jo_put(j, out, 4);
  }
  jo_puts(j, "\"");
}

static void jo_obj_begin(Jo* j, const char* k) {
  jo_key(j, k);
  jo_puts(j, "{");
  j->saved = j->fields;
  j->fields = 0;
}

static void jo_obj_end(Jo* j) {
  jo_puts(j, "}");
  j->fields = j->saved;
}

static void jo_end(Jo* j) {
  jo_puts(j, "}\n");
  pthread_mutex_lock(&jo_mutex);
  fwrite(j->buf, 1, j->len, stdout);
  fflush(stdout);
  pthread_mutex_unlock(&jo_mutex);
  free(j->buf);
  j->buf = NULL;
}

#endif
