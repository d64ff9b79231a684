/*
 * consumer_bench: push consumer benchmark against the rocketmq-client-cpp 2.2.0 C API
 * (librocketmq.so: ours or the original), CPushConsumer.h.
 *
 * Flags:
 *   -n namesrv      name server list              (default 127.0.0.1:9876)
 *   -t topic                                       (default rmq_bench)
 *   -g group        consumer group                 (default bench_consumer_group)
 *   -m count        measured messages              (default 200000)
 *   -W count        warm-up messages, not measured (default 0)
 *   -T threads      SetPushConsumerThreadCount     (default: not called, library default)
 *   -b size         SetPushConsumerMessageBatchMaxSize (default: not called)
 *   -c msgs         SetPushConsumerMaxCacheMessageSize (per queue; default: not called)
 *   -x seconds      give up this long after start  (default 300)
 *   -i seconds      stop early when no message came for this long once consuming has
 *                   started (default 10): the result is then marked partial
 *   -q              quiet: no progress lines on stderr
 *
 * The callback does the minimum a real one does: it counts the message, records
 * born-to-consume latency (wall clock now - GetMessageBornTimestamp, in us; only meaningful
 * when the producer's clock is this machine's and the message was not waiting in a backlog)
 * and reads the body (GetMessageBody + GetMessageBodyLength, one byte per 64). It returns
 * E_CONSUME_SUCCESS.
 *
 * Measured phase: from the callback of message W+1 to the callback of message W+m (m-1
 * intervals). Consume TPS = (m-1) / that time. CPU/msg = getrusage(RUSAGE_SELF) user+sys
 * taken in those two callbacks (all threads of the process) / (m-1). Threads = peak of
 * /proc/self/task during the run (main thread + library threads; the bench has no others).
 *
 * GetMessageBodyLength is not in 2.2.0: it is a weak reference, and strlen stands in for it
 * when the library lacks it (the sink's bodies have no NUL byte).
 *
 * Output: a "Consume TPS: ..." line, a latency/CPU line, and a machine-readable line
 * prefixed "BENCH_JSON ".
 *
 * Build: gcc -O2 -pthread -I include -o consumer_bench bench/consumer_bench.c \
 *            -L target/release -lrocketmq -Wl,-rpath,$PWD/target/release
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<rocketmq/CPushConsumer.h>)
#include <rocketmq/CPushConsumer.h>
#include <rocketmq/CMessageExt.h>
#define RMQ_HAVE_HEADERS 1
#endif
#endif

#ifndef RMQ_HAVE_HEADERS
typedef struct CPushConsumer CPushConsumer;
typedef struct CMessageExt CMessageExt;
typedef int (*MessageCallBack)(CPushConsumer*, CMessageExt*);
CPushConsumer* CreatePushConsumer(const char* groupId);
int DestroyPushConsumer(CPushConsumer* consumer);
int StartPushConsumer(CPushConsumer* consumer);
int ShutdownPushConsumer(CPushConsumer* consumer);
int SetPushConsumerNameServerAddress(CPushConsumer* consumer, const char* namesrv);
int Subscribe(CPushConsumer* consumer, const char* topic, const char* expression);
int RegisterMessageCallback(CPushConsumer* consumer, MessageCallBack pCallback);
int SetPushConsumerThreadCount(CPushConsumer* consumer, int threadCount);
int SetPushConsumerMessageBatchMaxSize(CPushConsumer* consumer, int batchSize);
int SetPushConsumerMaxCacheMessageSize(CPushConsumer* consumer, int maxCacheSize);
const char* GetMessageBody(CMessageExt* msgExt);
long long GetMessageBornTimestamp(CMessageExt* msgExt);
#endif
const char* GetLatestErrorMessage(void);
/* Not in 2.2.0: resolved to NULL when the library does not have it. */
extern int GetMessageBodyLength(CMessageExt* msgExt) __attribute__((weak));

/* ------------------------------------------------------------------------- */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int64_t wall_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int count_threads(void) {
  DIR* d = opendir("/proc/self/task");
  if (!d) return -1;
  int n = 0;
  struct dirent* e;
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n;
}

static double tv_s(struct timeval tv) { return tv.tv_sec + tv.tv_usec / 1e6; }

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Parameters */
static const char* g_namesrv = "127.0.0.1:9876";
static const char* g_topic = "rmq_bench";
static const char* g_group = "bench_consumer_group";
static long g_count = 200000;
static long g_warmup = 0;
static int g_threads = 0;
static int g_batch = 0;
static int g_cache = 0;
static int g_timeout_s = 300;
static int g_idle_s = 10;
static int g_quiet = 0;

/* Shared with the callbacks */
static atomic_long g_seen;      /* messages delivered so far (all) */
static atomic_int g_started;    /* the measured phase has begun */
static atomic_int g_done;       /* message W+m has been delivered */
static uint64_t g_t0, g_t1;
static struct rusage g_ru0, g_ru1;
static int64_t* g_lat_us;       /* born-to-consume per measured message */
static atomic_long g_nlat;      /* latencies recorded (may lag g_seen while callbacks run) */
static atomic_long g_negative;  /* born timestamp ahead of our clock */

#define MAX_SLOTS 256
typedef struct {
  long messages;
  long body_bytes;
  unsigned long touch;
  char pad[64 - 3 * sizeof(long)];
} thread_slot_t;
static thread_slot_t g_slots[MAX_SLOTS];
static atomic_int g_nslots;
static __thread thread_slot_t* t_slot;
static atomic_long g_empty_bodies;

static int on_message(CPushConsumer* consumer, CMessageExt* msg) {
  (void)consumer;
  long i = atomic_fetch_add_explicit(&g_seen, 1, memory_order_relaxed);
  if (i == g_warmup) {
    getrusage(RUSAGE_SELF, &g_ru0);
    g_t0 = now_ns();
    atomic_store(&g_started, 1);
  }
  if (!t_slot) {
    int s = atomic_fetch_add(&g_nslots, 1);
    t_slot = &g_slots[s < MAX_SLOTS ? s : MAX_SLOTS - 1];
  }
  /* touch the body */
  const char* body = GetMessageBody(msg);
  int len = 0;
  if (body) len = GetMessageBodyLength ? GetMessageBodyLength(msg) : (int)strlen(body);
  if (len > 0) {
    unsigned long x = 0;
    for (int k = 0; k < len; k += 64) x += (unsigned char)body[k];
    x += (unsigned char)body[len - 1];
    t_slot->touch += x;
    t_slot->body_bytes += len;
  } else {
    atomic_fetch_add_explicit(&g_empty_bodies, 1, memory_order_relaxed);
  }
  t_slot->messages++;
  long j = i - g_warmup;
  if (j >= 0 && j < g_count) {
    int64_t lat = wall_us() - GetMessageBornTimestamp(msg) * 1000;
    if (lat < 0) {
      atomic_fetch_add_explicit(&g_negative, 1, memory_order_relaxed);
      lat = 0;
    }
    g_lat_us[j] = lat;
    atomic_fetch_add_explicit(&g_nlat, 1, memory_order_relaxed);
    if (j == g_count - 1) {
      g_t1 = now_ns();
      getrusage(RUSAGE_SELF, &g_ru1);
      atomic_store(&g_done, 1);
    }
  }
  return 0; /* E_CONSUME_SUCCESS */
}

static int cmp_i64(const void* a, const void* b) {
  int64_t x = *(const int64_t*)a, y = *(const int64_t*)b;
  return x < y ? -1 : x > y;
}

static void json_str(FILE* f, const char* s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c < 0x20)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
  fputc('"', f);
}

static void usage(const char* argv0) {
  fprintf(stderr,
          "usage: %s [-n namesrv] [-t topic] [-g group] [-m messages] [-W warmup] [-T consume_threads]\n"
          "          [-b batch_max] [-c max_cache_per_queue] [-x timeout_s] [-i idle_s] [-q]\n",
          argv0);
  exit(2);
}

int main(int argc, char** argv) {
  int opt;
  while ((opt = getopt(argc, argv, "n:t:g:m:W:T:b:c:x:i:qh")) != -1) {
    switch (opt) {
      case 'n': g_namesrv = optarg; break;
      case 't': g_topic = optarg; break;
      case 'g': g_group = optarg; break;
      case 'm': g_count = atol(optarg); break;
      case 'W': g_warmup = atol(optarg); break;
      case 'T': g_threads = atoi(optarg); break;
      case 'b': g_batch = atoi(optarg); break;
      case 'c': g_cache = atoi(optarg); break;
      case 'x': g_timeout_s = atoi(optarg); break;
      case 'i': g_idle_s = atoi(optarg); break;
      case 'q': g_quiet = 1; break;
      default: usage(argv[0]);
    }
  }
  if (g_count < 2 || g_warmup < 0 || g_threads < 0 || g_batch < 0 || g_cache < 0 || g_timeout_s < 1 || g_idle_s < 1)
    usage(argv[0]);
  g_lat_us = calloc((size_t)g_count, sizeof(int64_t));
  if (!g_lat_us) {
    fprintf(stderr, "consumer_bench: out of memory\n");
    return 1;
  }

  printf("consumer_bench: messages=%ld warmup=%ld threads=%d batch=%d cache=%d namesrv=%s topic=%s group=%s "
         "body_length=%s\n",
         g_count, g_warmup, g_threads, g_batch, g_cache, g_namesrv, g_topic, g_group,
         GetMessageBodyLength ? "GetMessageBodyLength" : "strlen");
  fflush(stdout);

  int threads_before = count_threads();
  uint64_t t_create = now_ns();
  CPushConsumer* c = CreatePushConsumer(g_group);
  if (!c) {
    fprintf(stderr, "CreatePushConsumer failed: %s\n", GetLatestErrorMessage());
    return 1;
  }
  SetPushConsumerNameServerAddress(c, g_namesrv);
  if (g_threads > 0) SetPushConsumerThreadCount(c, g_threads);
  if (g_batch > 0) SetPushConsumerMessageBatchMaxSize(c, g_batch);
  if (g_cache > 0) SetPushConsumerMaxCacheMessageSize(c, g_cache);
  Subscribe(c, g_topic, "*");
  RegisterMessageCallback(c, on_message);
  int rc = StartPushConsumer(c);
  if (rc != 0) {
    fprintf(stderr, "StartPushConsumer failed (rc=%d): %s\n", rc, GetLatestErrorMessage());
    return 1;
  }
  double start_ms = (now_ns() - t_create) / 1e6;
  int threads_after_start = count_threads();
  int threads_peak = threads_after_start;

  /* Wait for the m-th message, sampling the thread count. */
  uint64_t t_begin = now_ns(), last_change = t_begin, last_report = t_begin;
  long last_seen = 0;
  int partial = 0, timed_out = 0;
  while (!atomic_load(&g_done)) {
    sleep_ms(20);
    int n = count_threads();
    if (n > threads_peak) threads_peak = n;
    uint64_t now = now_ns();
    long seen = atomic_load(&g_seen);
    if (seen != last_seen) {
      last_seen = seen;
      last_change = now;
    }
    if (!g_quiet && now - last_report >= 1000000000ull) {
      fprintf(stderr, "consumer_bench: %ld messages after %.1f s\n", seen, (now - t_begin) / 1e9);
      last_report = now;
    }
    if (atomic_load(&g_started) && now - last_change >= (uint64_t)g_idle_s * 1000000000ull) {
      partial = 1;
      break;
    }
    if (now - t_begin >= (uint64_t)g_timeout_s * 1000000000ull) {
      timed_out = 1;
      break;
    }
  }
  long measured; /* messages in the measured phase, the first one included */
  if (atomic_load(&g_done)) {
    measured = g_count;
  } else {
    /* partial: up to the last message seen (CPU until now: includes the idle wait) */
    g_t1 = last_change;
    getrusage(RUSAGE_SELF, &g_ru1);
    measured = atomic_load(&g_seen) - g_warmup;
    if (measured < 0) measured = 0;
    if (!atomic_load(&g_started)) g_t0 = g_t1;
  }
  int threads_end = count_threads();
  if (threads_end > threads_peak) threads_peak = threads_end;

  uint64_t t_sd = now_ns();
  ShutdownPushConsumer(c);
  DestroyPushConsumer(c);
  double shutdown_ms = (now_ns() - t_sd) / 1e6;

  /* After the shutdown no callback runs: slots 0..nlat-1 are all recorded. */
  long nlat = atomic_load(&g_nlat);
  if (nlat > g_count) nlat = g_count;
  qsort(g_lat_us, (size_t)nlat, sizeof(int64_t), cmp_i64);
#define PCT(p) (nlat ? g_lat_us[(size_t)((double)(p) * (double)(nlat - 1) + 0.5)] : 0)
  double p50_ms = PCT(0.50) / 1000.0, p90_ms = PCT(0.90) / 1000.0, p99_ms = PCT(0.99) / 1000.0,
         max_ms = nlat ? g_lat_us[nlat - 1] / 1000.0 : 0;

  long intervals = measured > 1 ? measured - 1 : 0;
  double elapsed = (g_t1 - g_t0) / 1e9;
  double tps = elapsed > 0 ? intervals / elapsed : 0;
  double cpu_user = tv_s(g_ru1.ru_utime) - tv_s(g_ru0.ru_utime);
  double cpu_sys = tv_s(g_ru1.ru_stime) - tv_s(g_ru0.ru_stime);
  double cpu_per_msg = intervals ? (cpu_user + cpu_sys) * 1e6 / (double)intervals : 0;
  long vcsw = g_ru1.ru_nvcsw - g_ru0.ru_nvcsw, ivcsw = g_ru1.ru_nivcsw - g_ru0.ru_nivcsw;
  long body_bytes = 0, per_thread_max = 0;
  int nslots = atomic_load(&g_nslots);
  if (nslots > MAX_SLOTS) nslots = MAX_SLOTS;
  for (int s = 0; s < nslots; s++) {
    body_bytes += g_slots[s].body_bytes;
    if (g_slots[s].messages > per_thread_max) per_thread_max = g_slots[s].messages;
  }
  long seen = atomic_load(&g_seen);

  struct rusage ru_end;
  getrusage(RUSAGE_SELF, &ru_end); /* ru_maxrss: peak resident set of the whole process, KiB */
  long peak_rss_kib = ru_end.ru_maxrss;
  printf("Consume TPS: %d Messages: %ld Elapsed(s): %.3f Born-to-consume p50(ms): %.1f p99(ms): %.1f CPU/msg(us): %.1f "
         "Threads: %d Peak RSS(KiB): %ld%s\n",
         (int)(tps + 0.5), measured, elapsed, p50_ms, p99_ms, cpu_per_msg, threads_peak, peak_rss_kib,
         partial ? " (partial: no message for -i seconds)" : timed_out ? " (TIMED OUT)" : "");
  if (!g_quiet)
    printf("callback threads: %d, delivered in total: %ld, mean body: %.0f B, empty bodies: %ld\n", nslots, seen,
           seen ? (double)body_bytes / (double)seen : 0.0, (long)atomic_load(&g_empty_bodies));
  printf("BENCH_JSON {\"bench\":\"consumer\",\"client\":\"c\",\"namesrv\":");
  json_str(stdout, g_namesrv);
  printf(",\"topic\":");
  json_str(stdout, g_topic);
  printf(",\"group\":");
  json_str(stdout, g_group);
  printf(",\"messages\":%ld,\"warmup\":%ld,\"consume_threads\":%d,\"batch_max\":%d,\"max_cache\":%d,"
         "\"measured\":%ld,\"partial\":%s,\"timed_out\":%s,\"delivered\":%ld,\"elapsed_s\":%.4f,\"tps\":%.1f,"
         "\"born_p50_ms\":%.3f,\"born_p90_ms\":%.3f,\"born_p99_ms\":%.3f,\"born_max_ms\":%.3f,\"born_negative\":%ld,"
         "\"cpu_user_s\":%.4f,\"cpu_sys_s\":%.4f,\"cpu_per_msg_us\":%.3f,\"vol_ctx_switches\":%ld,"
         "\"invol_ctx_switches\":%ld,\"callback_threads\":%d,\"max_per_callback_thread\":%ld,"
         "\"mean_body_bytes\":%.1f,\"empty_bodies\":%ld,\"threads_before\":%d,\"threads_after_start\":%d,"
         "\"threads_peak\":%d,\"start_ms\":%.2f,\"shutdown_ms\":%.2f,\"peak_rss_kib\":%ld}\n",
         g_count, g_warmup, g_threads, g_batch, g_cache, measured, partial ? "true" : "false",
         timed_out ? "true" : "false", seen, elapsed, tps, p50_ms, p90_ms, p99_ms, max_ms,
         (long)atomic_load(&g_negative), cpu_user, cpu_sys, cpu_per_msg, vcsw, ivcsw, nslots, per_thread_max,
         seen ? (double)body_bytes / (double)seen : 0.0, (long)atomic_load(&g_empty_bodies), threads_before,
         threads_after_start, threads_peak, start_ms, shutdown_ms, peak_rss_kib);
  fflush(stdout);
  return (measured < 2 || timed_out) ? 1 : 0;
}
