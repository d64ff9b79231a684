/*
 * producer_bench: end-to-end producer benchmark against the rocketmq-client-cpp
 * 2.2.0 C API (librocketmq.so: ours or the original).
 *
 * Flags (cpp examples + Java benchmark style):
 *   -n namesrv      name server list        (default 127.0.0.1:9876)
 *   -t topic                                 (default rmq_bench)
 *   -g group        producer group          (default bench_producer_group)
 *   -m count        measured messages per thread (default 100000)
 *   -T threads      sender threads sharing one producer (default 1)
 *   -s bytes        body size                (default 1024; < 4096 so no compression)
 *   -y              async: SendAsync + callbacks, in-flight bounded per thread
 *   -w n            max in flight per thread in async mode (default 1000)
 *   -W n            warm-up messages per thread, not measured (default 2000)
 *   -R              reuse the message handle (one per thread, or one per
 *                   in-flight slot in async mode) instead of a fresh
 *                   CreateMessage/SetByteMessageBody/DestroyMessage per send
 *   -o ms           send timeout (default 3000)
 *   -r              message trace on (SetProducerMessageTrace(OPEN)): every send
 *                   also queues a Pub record for RMQ_SYS_TRACE_TOPIC
 *   -q              quiet: no progress lines on stderr
 *
 * Measured per send: RT with CLOCK_MONOTONIC in microseconds (sync: around
 * SendMessageSync; async: from just before SendAsync to the start of the
 * callback). RT is recorded for successful sends only (as the Java benchmark).
 * "Send Failed" = non-zero return code or exception callback; "Response
 * Failed" = send returned OK but sendStatus != SEND_OK (those still count as
 * sent, like the Java benchmark's TPS). CPU/msg = getrusage(RUSAGE_SELF)
 * user+sys over the measured phase (all threads of the process, library
 * threads included) / measured messages. Threads = entries of /proc/self/task:
 * after StartProducer, peak during the measured phase (minus the -T bench
 * workers, so it is main + library threads) and at the end after the
 * workers are joined.
 *
 * Async message lifetime: the CMessage passed to SendAsync must stay alive
 * until its callback has run. Each in-flight slot owns its message; it is
 * destroyed (or, with -R, reused) only when the slot is acquired again, by
 * the sending thread, after the callback has released it - never inside the
 * callback.
 *
 * Output: the Java benchmark line, a percentile line, and a machine-readable
 * line prefixed "BENCH_JSON ".
 *
 * Build: gcc -O2 -pthread -I include -o producer_bench bench/producer_bench.c \
 *            -L target/release -lrocketmq -Wl,-rpath,$PWD/target/release
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* Use the installed headers when they exist; otherwise the 2.2.0 prototypes. */
#if defined(__has_include)
#if __has_include(<rocketmq/CProducer.h>)
#include <rocketmq/CProducer.h>
#define RMQ_HAVE_HEADERS 1
#if __has_include(<rocketmq/CMessage.h>)
#include <rocketmq/CMessage.h>
#endif
#if __has_include(<rocketmq/CErrorMessage.h>)
#include <rocketmq/CErrorMessage.h>
#endif
#endif
#endif

#ifndef RMQ_HAVE_HEADERS
typedef struct CProducer CProducer;
typedef struct CMessage CMessage;
typedef struct _SendResult_ {
  int sendStatus; /* CSendStatus, E_SEND_OK = 0 */
  char msgId[256];
  long long offset;
} CSendResult;
typedef struct _CMQException_ {
  int error;
  int line;
  char file[256];
  char msg[512];
  char type[128];
} CMQException;
typedef void (*COnSendSuccessCallback)(CSendResult result, CMessage* msg, void* userData);
typedef void (*COnSendExceptionCallback)(CMQException e, CMessage* msg, void* userData);
CProducer* CreateProducer(const char* groupId);
int SetProducerNameServerAddress(CProducer* producer, const char* namesrv);
int SetProducerSendMsgTimeout(CProducer* producer, int timeout);
int SetProducerMessageTrace(CProducer* producer, int openTrace); /* CTraceModel: OPEN = 0 */
int StartProducer(CProducer* producer);
int ShutdownProducer(CProducer* producer);
int DestroyProducer(CProducer* producer);
CMessage* CreateMessage(const char* topic);
int SetByteMessageBody(CMessage* msg, const char* body, int len);
int DestroyMessage(CMessage* msg);
int SendMessageSync(CProducer* producer, CMessage* msg, CSendResult* result);
int SendAsync(CProducer* producer, CMessage* msg, COnSendSuccessCallback cSendSuccessCallback,
              COnSendExceptionCallback cSendExceptionCallback, void* userData);
#endif
/* Declared in CErrorMessage.h; redeclared here in case that header is absent. */
const char* GetLatestErrorMessage(void);

/* ------------------------------------------------------------------------- */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
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

/* Parameters */
static const char* g_namesrv = "127.0.0.1:9876";
static const char* g_topic = "rmq_bench";
static const char* g_group = "bench_producer_group";
static long g_count = 100000;
static int g_threads = 1;
static int g_size = 1024;
static int g_async = 0;
static int g_window = 1000;
static long g_warmup = 2000;
static int g_reuse = 0;
static int g_trace = 0;
static int g_timeout_ms = 3000;
static int g_quiet = 0;

static CProducer* g_producer;
static pthread_barrier_t g_barrier;
static atomic_int g_workers_done;

static pthread_mutex_t g_err_mu = PTHREAD_MUTEX_INITIALIZER;
static char g_first_error[600];
static atomic_long g_error_count;

static void note_error(const char* what, int code, const char* text) {
  atomic_fetch_add(&g_error_count, 1);
  pthread_mutex_lock(&g_err_mu);
  if (!g_first_error[0])
    snprintf(g_first_error, sizeof g_first_error, "%s rc=%d: %s", what, code, text ? text : "(null)");
  pthread_mutex_unlock(&g_err_mu);
}

typedef struct worker worker_t;

typedef struct slot {
  worker_t* w;
  CMessage* msg;
  uint64_t t0;
  atomic_int pending; /* 1 while a send is outstanding; whoever swaps it to 0 settles it */
  int idx;
} slot_t;

struct worker {
  int id;
  pthread_t tid;
  char* body;
  uint32_t* rts; /* measured RTs in us, successes only */
  atomic_long nrt;
  atomic_long ok, send_failed, response_failed;
  atomic_int measuring;
  long lost; /* async: callbacks that never came */
  /* async in-flight slots */
  pthread_mutex_t mu;
  pthread_cond_t cv;
  slot_t* slots;
  int* free_stack;
  int nfree;
  CMessage* sync_msg; /* -R in sync mode */
};

static void record_rt(worker_t* w, uint64_t ns) {
  if (!atomic_load_explicit(&w->measuring, memory_order_relaxed)) return;
  long i = atomic_fetch_add_explicit(&w->nrt, 1, memory_order_relaxed);
  if (i < g_count) {
    uint64_t us = (ns + 500) / 1000;
    w->rts[i] = us > 0xFFFFFFFFull ? 0xFFFFFFFFu : (uint32_t)us;
  }
}

static void count_outcome(worker_t* w, atomic_long* which) {
  if (atomic_load_explicit(&w->measuring, memory_order_relaxed)) atomic_fetch_add_explicit(which, 1, memory_order_relaxed);
}

static CMessage* new_message(worker_t* w) {
  CMessage* m = CreateMessage(g_topic);
  if (!m) {
    fprintf(stderr, "CreateMessage failed: %s\n", GetLatestErrorMessage());
    exit(1);
  }
  SetByteMessageBody(m, w->body, g_size);
  return m;
}

static void fill_random(char* p, int n, uint64_t seed) {
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (int i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    p[i] = (char)(x >> 24);
  }
}

/* ---- sync ---- */

static void sync_send_one(worker_t* w) {
  CMessage* m = g_reuse ? w->sync_msg : new_message(w);
  CSendResult r;
  memset(&r, 0, sizeof r);
  uint64_t t0 = now_ns();
  int rc = SendMessageSync(g_producer, m, &r);
  uint64_t t1 = now_ns();
  if (rc != 0) {
    count_outcome(w, &w->send_failed);
    note_error("SendMessageSync", rc, GetLatestErrorMessage());
  } else {
    if ((int)r.sendStatus != 0) count_outcome(w, &w->response_failed);
    count_outcome(w, &w->ok);
    record_rt(w, t1 - t0);
  }
  if (!g_reuse) DestroyMessage(m);
}

/* ---- async ---- */

static long drain_deadline_ns(void) { return (long)(g_timeout_ms * 3 + 10000) * 1000000L; }

static void release_slot(worker_t* w, slot_t* s) {
  pthread_mutex_lock(&w->mu);
  w->free_stack[w->nfree++] = s->idx;
  pthread_cond_signal(&w->cv);
  pthread_mutex_unlock(&w->mu);
}

static void on_success(CSendResult result, CMessage* msg, void* ud) {
  (void)msg;
  uint64_t t1 = now_ns();
  slot_t* s = (slot_t*)ud;
  if (atomic_exchange(&s->pending, 0) != 1) return;
  worker_t* w = s->w;
  if ((int)result.sendStatus != 0) count_outcome(w, &w->response_failed);
  count_outcome(w, &w->ok);
  record_rt(w, t1 - s->t0);
  release_slot(w, s);
}

static void on_exception(CMQException e, CMessage* msg, void* ud) {
  (void)msg;
  slot_t* s = (slot_t*)ud;
  if (atomic_exchange(&s->pending, 0) != 1) return;
  worker_t* w = s->w;
  count_outcome(w, &w->send_failed);
  e.msg[sizeof e.msg - 1] = 0;
  note_error("SendAsync exception callback", e.error, e.msg);
  release_slot(w, s);
}

/* Waits until `want` slots are free (1 = acquire one; g_window = drain).
 * Returns 0, or -1 if no callback arrived for drain_deadline_ns. */
static int wait_free(worker_t* w, int want) {
  pthread_mutex_lock(&w->mu);
  int last = w->nfree;
  uint64_t progress_at = now_ns();
  while (w->nfree < want) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_nsec += 200 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    if (w->nfree != last) {
      last = w->nfree;
      progress_at = now_ns();
    } else if ((long)(now_ns() - progress_at) > drain_deadline_ns()) {
      w->lost = g_window - w->nfree;
      pthread_mutex_unlock(&w->mu);
      fprintf(stderr, "producer_bench: thread %d: no callback for %ld ms, %ld sends still in flight; giving up\n",
              w->id, drain_deadline_ns() / 1000000L, w->lost);
      return -1;
    }
  }
  pthread_mutex_unlock(&w->mu);
  return 0;
}

static int async_send_one(worker_t* w) {
  if (wait_free(w, 1) != 0) return -1;
  pthread_mutex_lock(&w->mu);
  slot_t* s = &w->slots[w->free_stack[--w->nfree]];
  pthread_mutex_unlock(&w->mu);
  if (!g_reuse || !s->msg) {
    if (s->msg) DestroyMessage(s->msg); /* its callback has run: safe */
    s->msg = new_message(w);
  }
  atomic_store(&s->pending, 1);
  s->t0 = now_ns();
  int rc = SendAsync(g_producer, s->msg, on_success, on_exception, s);
  if (rc != 0) {
    const char* err = GetLatestErrorMessage();
    /* 2.2.0 quirk: the exception callback may already have run synchronously. */
    if (atomic_exchange(&s->pending, 0) == 1) {
      count_outcome(w, &w->send_failed);
      note_error("SendAsync", rc, err);
      release_slot(w, s);
    }
  }
  return 0;
}

/* ---- worker ---- */

static int run_phase(worker_t* w, long n) {
  for (long i = 0; i < n; i++) {
    if (g_async) {
      if (async_send_one(w) != 0) return -1;
    } else {
      sync_send_one(w);
    }
  }
  if (g_async && wait_free(w, g_window) != 0) return -1;
  return 0;
}

static void* worker_main(void* arg) {
  worker_t* w = (worker_t*)arg;
  int failed = run_phase(w, g_warmup);
  pthread_barrier_wait(&g_barrier); /* warm-up done everywhere */
  atomic_store(&w->measuring, 1);
  pthread_barrier_wait(&g_barrier); /* main took its start snapshot */
  if (!failed) failed = run_phase(w, g_count);
  atomic_store(&w->measuring, 0);
  atomic_fetch_add(&g_workers_done, 1);
  return NULL;
}

static int cmp_u32(const void* a, const void* b) {
  uint32_t x = *(const uint32_t*)a, y = *(const uint32_t*)b;
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
          "usage: %s [-n namesrv] [-t topic] [-g group] [-m msgs_per_thread] [-T threads] [-s body_bytes]\n"
          "          [-y async] [-w max_inflight_per_thread] [-W warmup_per_thread] [-R reuse_msg] [-o timeout_ms] "
          "[-r trace] [-q]\n",
          argv0);
  exit(2);
}

int main(int argc, char** argv) {
  int opt;
  while ((opt = getopt(argc, argv, "n:t:g:m:T:s:yw:W:Ro:rqh")) != -1) {
    switch (opt) {
      case 'n': g_namesrv = optarg; break;
      case 't': g_topic = optarg; break;
      case 'g': g_group = optarg; break;
      case 'm': g_count = atol(optarg); break;
      case 'T': g_threads = atoi(optarg); break;
      case 's': g_size = atoi(optarg); break;
      case 'y': g_async = 1; break;
      case 'w': g_window = atoi(optarg); break;
      case 'W': g_warmup = atol(optarg); break;
      case 'R': g_reuse = 1; break;
      case 'o': g_timeout_ms = atoi(optarg); break;
      case 'r': g_trace = 1; break;
      case 'q': g_quiet = 1; break;
      default: usage(argv[0]);
    }
  }
  if (g_count < 1 || g_threads < 1 || g_size < 1 || g_window < 1 || g_warmup < 0) usage(argv[0]);
  if (g_size >= 4096)
    fprintf(stderr, "producer_bench: note: body >= 4096 bytes will be compressed by the client\n");

  const char* mode = g_async ? "async" : "sync";
  printf("producer_bench: mode=%s threads=%d messages/thread=%ld body=%dB warmup/thread=%ld", mode, g_threads, g_count,
         g_size, g_warmup);
  if (g_async) printf(" max_inflight/thread=%d", g_window);
  printf(" reuse_msg=%d trace=%d namesrv=%s topic=%s group=%s\n", g_reuse, g_trace, g_namesrv, g_topic, g_group);
  fflush(stdout);

  uint64_t t_create = now_ns();
  g_producer = CreateProducer(g_group);
  if (!g_producer) {
    fprintf(stderr, "CreateProducer failed: %s\n", GetLatestErrorMessage());
    return 1;
  }
  SetProducerNameServerAddress(g_producer, g_namesrv);
  SetProducerSendMsgTimeout(g_producer, g_timeout_ms);
  if (g_trace) SetProducerMessageTrace(g_producer, 0 /* OPEN */);
  int rc = StartProducer(g_producer);
  if (rc != 0) {
    fprintf(stderr, "StartProducer failed (rc=%d): %s\n", rc, GetLatestErrorMessage());
    return 1;
  }
  double start_ms = (now_ns() - t_create) / 1e6;
  int threads_after_start = count_threads();

  worker_t* ws = calloc((size_t)g_threads, sizeof(worker_t));
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  for (int i = 0; i < g_threads; i++) {
    worker_t* w = &ws[i];
    w->id = i;
    w->body = malloc((size_t)g_size);
    fill_random(w->body, g_size, (uint64_t)i + 1);
    w->rts = malloc(sizeof(uint32_t) * (size_t)g_count);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, &ca);
    if (g_async) {
      w->slots = calloc((size_t)g_window, sizeof(slot_t));
      w->free_stack = malloc(sizeof(int) * (size_t)g_window);
      for (int k = 0; k < g_window; k++) {
        w->slots[k].w = w;
        w->slots[k].idx = k;
        w->free_stack[k] = g_window - 1 - k;
      }
      w->nfree = g_window;
    } else if (g_reuse) {
      w->sync_msg = new_message(w);
    }
  }
  pthread_barrier_init(&g_barrier, NULL, (unsigned)g_threads + 1);
  for (int i = 0; i < g_threads; i++) pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]);

  pthread_barrier_wait(&g_barrier); /* all warm-ups done */
  if (!g_quiet) fprintf(stderr, "producer_bench: warm-up done, measuring\n");
  struct rusage ru0, ru1;
  getrusage(RUSAGE_SELF, &ru0);
  uint64_t t0 = now_ns();
  pthread_barrier_wait(&g_barrier);

  /* Sample the thread count while the workers run. */
  int threads_peak = count_threads();
  while (atomic_load(&g_workers_done) < g_threads) {
    struct timespec ts = {0, 50 * 1000000L};
    nanosleep(&ts, NULL);
    int n = count_threads();
    if (n > threads_peak) threads_peak = n;
  }
  for (int i = 0; i < g_threads; i++) pthread_join(ws[i].tid, NULL);
  uint64_t t1 = now_ns();
  getrusage(RUSAGE_SELF, &ru1);
  int threads_end = count_threads();
  threads_peak -= g_threads; /* report main + library threads */
  if (threads_end > threads_peak) threads_peak = threads_end;

  /* Merge */
  long total_rt = 0, ok = 0, send_failed = 0, response_failed = 0, lost = 0;
  for (int i = 0; i < g_threads; i++) {
    long n = atomic_load(&ws[i].nrt);
    total_rt += n < g_count ? n : g_count;
    ok += atomic_load(&ws[i].ok);
    send_failed += atomic_load(&ws[i].send_failed);
    response_failed += atomic_load(&ws[i].response_failed);
    lost += ws[i].lost;
  }
  uint32_t* all = malloc(sizeof(uint32_t) * (size_t)(total_rt > 0 ? total_rt : 1));
  long k = 0;
  double sum_us = 0;
  for (int i = 0; i < g_threads; i++) {
    long n = atomic_load(&ws[i].nrt);
    if (n > g_count) n = g_count;
    for (long j = 0; j < n; j++) {
      all[k++] = ws[i].rts[j];
      sum_us += ws[i].rts[j];
    }
  }
  qsort(all, (size_t)total_rt, sizeof(uint32_t), cmp_u32);
#define PCT(p) (total_rt ? all[(size_t)((double)(p) * (double)(total_rt - 1) + 0.5)] : 0u)
  uint32_t p50 = PCT(0.50), p90 = PCT(0.90), p99 = PCT(0.99), p999 = PCT(0.999);
  uint32_t min_us = total_rt ? all[0] : 0, max_us = total_rt ? all[total_rt - 1] : 0;
  double avg_us = total_rt ? sum_us / (double)total_rt : 0;
  double elapsed = (t1 - t0) / 1e9;
  double tps = ok / elapsed;
  double cpu_user = tv_s(ru1.ru_utime) - tv_s(ru0.ru_utime);
  double cpu_sys = tv_s(ru1.ru_stime) - tv_s(ru0.ru_stime);
  long attempted = ok + send_failed;
  double cpu_per_msg = attempted ? (cpu_user + cpu_sys) * 1e6 / (double)attempted : 0;
  long vcsw = ru1.ru_nvcsw - ru0.ru_nvcsw, ivcsw = ru1.ru_nivcsw - ru0.ru_nivcsw;

  uint64_t t_sd = now_ns();
  if (lost == 0) {
    ShutdownProducer(g_producer);
    DestroyProducer(g_producer);
  } else {
    /* callbacks may still arrive: keep slots and messages alive, just shut down */
    ShutdownProducer(g_producer);
  }
  double shutdown_ms = (now_ns() - t_sd) / 1e6;

  printf("Send TPS: %d Max RT(ms): %d Average RT(ms): %7.3f Send Failed: %d Response Failed: %d\n", (int)(tps + 0.5),
         (int)(max_us / 1000), avg_us / 1000.0, (int)send_failed, (int)response_failed);
  struct rusage ru_end;
  getrusage(RUSAGE_SELF, &ru_end); /* ru_maxrss: peak resident set of the whole process, KiB */
  long peak_rss_kib = ru_end.ru_maxrss;
  printf("RT p50(us): %d p99(us): %d p999(us): %d CPU/msg(us): %.1f Threads: %d Peak RSS(KiB): %ld\n", (int)p50,
         (int)p99, (int)p999, cpu_per_msg, threads_peak, peak_rss_kib);
  if (g_first_error[0]) printf("first error: %s\n", g_first_error);
  printf("BENCH_JSON {\"bench\":\"producer\",\"mode\":\"%s\",\"namesrv\":", mode);
  json_str(stdout, g_namesrv);
  printf(",\"topic\":");
  json_str(stdout, g_topic);
  printf(",\"group\":");
  json_str(stdout, g_group);
  printf(",\"threads\":%d,\"messages_per_thread\":%ld,\"body_size\":%d,\"max_inflight\":%d,\"warmup_per_thread\":%ld,"
         "\"reuse_msg\":%s,\"trace\":%s,\"send_timeout_ms\":%d,"
         "\"ok\":%ld,\"send_failed\":%ld,\"response_failed\":%ld,\"lost_callbacks\":%ld,\"rt_samples\":%ld,"
         "\"elapsed_s\":%.4f,\"tps\":%.1f,\"max_rt_ms\":%d,\"avg_rt_ms\":%.4f,"
         "\"min_us\":%u,\"p50_us\":%u,\"p90_us\":%u,\"p99_us\":%u,\"p999_us\":%u,\"max_us\":%u,\"avg_us\":%.2f,"
         "\"cpu_user_s\":%.4f,\"cpu_sys_s\":%.4f,\"cpu_per_msg_us\":%.3f,\"vol_ctx_switches\":%ld,"
         "\"invol_ctx_switches\":%ld,"
         "\"threads_after_start\":%d,\"threads_peak\":%d,\"threads_end\":%d,\"start_ms\":%.2f,\"shutdown_ms\":%.2f,"
         "\"peak_rss_kib\":%ld,\"first_error\":",
         g_threads, g_count, g_size, g_async ? g_window : 1, g_warmup, g_reuse ? "true" : "false", g_trace ? "true" : "false", g_timeout_ms, ok,
         send_failed, response_failed, lost, total_rt, elapsed, tps, (int)(max_us / 1000), avg_us / 1000.0, min_us,
         p50, p90, p99, p999, max_us, avg_us, cpu_user, cpu_sys, cpu_per_msg, vcsw, ivcsw, threads_after_start,
         threads_peak, threads_end, start_ms, shutdown_ms, peak_rss_kib);
  json_str(stdout, g_first_error);
  printf("}\n");
  fflush(stdout);

  if (lost == 0) {
    for (int i = 0; i < g_threads; i++) {
      if (ws[i].slots)
        for (int s = 0; s < g_window; s++)
          if (ws[i].slots[s].msg) DestroyMessage(ws[i].slots[s].msg);
      if (ws[i].sync_msg) DestroyMessage(ws[i].sync_msg);
    }
  }
  return (lost > 0 || ok == 0) ? 1 : 0;
}
