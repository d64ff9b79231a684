/*
 * check.h - a tiny assertion helper for the C tests of librocketmq.
 *
 *   CHECK(cond, fmt, ...)   counts a pass, or counts a failure and prints
 *                           "FAIL file:line: <message>" on stderr
 *   CHECK_AT(file, line, cond, fmt, ...)   the same with the caller's position (for macros)
 *   CHECK_EQ_INT(a, b, what) / CHECK_EQ_LL / CHECK_EQ_STR   common shapes, print both values
 *   check_done()            prints "N passed, M failed" alone on a line (stdout) and
 *                           returns the exit status (0, or 1 on any failure)
 *
 * Counters are updated atomically, so CHECK may be used from callback threads.
 * Header only: each test program includes it once (the counters are static). Define
 * _POSIX_C_SOURCE (>= 199506L) before including it (flockfile).
 */
#ifndef RMQ_TESTS_CHECK_H
#define RMQ_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed_count;
static int check_failed_count;

#define CHECK_AT(file, line, cond, ...)                                         \
    do {                                                                        \
        if (cond) {                                                             \
            __sync_fetch_and_add(&check_passed_count, 1);                       \
        } else {                                                                \
            __sync_fetch_and_add(&check_failed_count, 1);                       \
            flockfile(stderr);                                                  \
            fprintf(stderr, "FAIL %s:%d: ", (file), (line));                    \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
            funlockfile(stderr);                                                \
        }                                                                       \
    } while (0)

#define CHECK(cond, ...) CHECK_AT(__FILE__, __LINE__, cond, __VA_ARGS__)

#define CHECK_EQ_INT(actual, expected, what)                                    \
    do {                                                                        \
        long long check_a_ = (long long)(actual);                               \
        long long check_e_ = (long long)(expected);                             \
        CHECK(check_a_ == check_e_, "%s: got %lld, expected %lld", (what),      \
              check_a_, check_e_);                                              \
    } while (0)

#define CHECK_EQ_STR(actual, expected, what)                                    \
    do {                                                                        \
        const char* check_a_ = (actual);                                        \
        const char* check_e_ = (expected);                                      \
        CHECK(check_a_ != NULL && check_e_ != NULL && strcmp(check_a_, check_e_) == 0, \
              "%s: got \"%s\", expected \"%s\"", (what),                        \
              check_a_ ? check_a_ : "(NULL)", check_e_ ? check_e_ : "(NULL)");  \
    } while (0)

/* Prints the summary line and returns the process exit status. */
static int check_done(void)
{
    int passed = __sync_fetch_and_add(&check_passed_count, 0);
    int failed = __sync_fetch_and_add(&check_failed_count, 0);
    fflush(stderr);
    printf("%d passed, %d failed\n", passed, failed);
    fflush(stdout);
    return failed ? 1 : 0;
}

#endif /* RMQ_TESTS_CHECK_H */
