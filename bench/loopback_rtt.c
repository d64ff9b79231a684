/*
 * loopback_rtt: the "raw loopback round trip" that client benchmarks are
 * compared against.
 *
 * One TCP connection (TCP_NODELAY), one request outstanding: send a real
 * SEND_MESSAGE_V2 (310) frame with a JSON header shaped like the one
 * rocketmq-client-cpp 2.2.0 sends and an N-byte body, wait for the whole
 * response frame, repeat. Against rmq-sink this is the producer's path minus
 * the client library.
 *
 *   -P D keep D requests in flight (pipelined) instead of one; RT is then
 *        measured from each request's send to its response. Shows the sink's
 *        throughput on one connection (what an async client needs from it).
 *   -E   run an in-process echo thread instead of talking to the sink: it
 *        reads each request frame and answers with a canned response of the
 *        same shape and size as the sink's. sink RTT - echo RTT = the sink's
 *        own per-request cost.
 *
 * Build: gcc -O2 -pthread -o loopback_rtt bench/loopback_rtt.c
 * Usage: loopback_rtt [-a host] [-p port] [-n round_trips] [-W warmup] [-s body_bytes] [-P depth] [-E]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void die(const char* what) {
  perror(what);
  exit(1);
}

static int write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Reads one whole frame into buf (grown as needed); returns its total size
 * including the 4-byte length prefix, or -1. Leftover bytes beyond the frame
 * are kept for the next call. */
typedef struct {
  char* buf;
  size_t cap, have;
} reader_t;

static long read_frame(int fd, reader_t* r) {
  for (;;) {
    if (r->have >= 4) {
      uint32_t len;
      memcpy(&len, r->buf, 4);
      len = ntohl(len);
      size_t need = 4 + (size_t)len;
      if (need > r->cap) {
        r->cap = need * 2;
        r->buf = realloc(r->buf, r->cap);
        if (!r->buf) die("realloc");
      }
      if (r->have >= need) return (long)need;
    }
    ssize_t n = recv(fd, r->buf + r->have, r->cap - r->have, 0);
    if (n == 0) return -1;
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    r->have += (size_t)n;
  }
}

static void consume(reader_t* r, size_t n) {
  memmove(r->buf, r->buf + n, r->have - n);
  r->have -= n;
}

/* A response shaped like rmq-sink's SEND_MESSAGE_V2 answer. */
static const char CANNED_RESP_HDR[] =
    "{\"code\":0,\"extFields\":{\"MSG_REGION\":\"DefaultRegion\",\"TRACE_ON\":\"true\","
    "\"msgId\":\"7F00000100007494000000000000002A\",\"queueId\":\"3\",\"queueOffset\":\"42\"},"
    "\"flag\":1,\"language\":\"JAVA\",\"opaque\":0,\"remark\":null,\"serializeTypeCurrentRPC\":\"JSON\","
    "\"version\":409}";

static int listen_fd = -1;

static void* echo_thread(void* arg) {
  (void)arg;
  int fd = accept(listen_fd, NULL, NULL);
  if (fd < 0) die("accept");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  size_t hl = strlen(CANNED_RESP_HDR);
  char* resp = malloc(8 + hl);
  uint32_t total = htonl((uint32_t)(4 + hl)), sh = htonl((uint32_t)hl);
  memcpy(resp, &total, 4);
  memcpy(resp + 4, &sh, 4);
  memcpy(resp + 8, CANNED_RESP_HDR, hl);
  reader_t r = {malloc(256 * 1024), 256 * 1024, 0};
  for (;;) {
    long n = read_frame(fd, &r);
    if (n < 0) break;
    consume(&r, (size_t)n);
    if (write_all(fd, resp, 8 + hl) < 0) break;
  }
  close(fd);
  return NULL;
}

static int cmp_u32(const void* a, const void* b) {
  uint32_t x = *(const uint32_t*)a, y = *(const uint32_t*)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
  const char* host = "127.0.0.1";
  int port = 29876, echo = 0;
  long n = 100000, warmup = 1000, body_size = 1024, depth = 1;
  int opt;
  while ((opt = getopt(argc, argv, "a:p:n:W:s:P:Eh")) != -1) {
    switch (opt) {
      case 'a': host = optarg; break;
      case 'p': port = atoi(optarg); break;
      case 'n': n = atol(optarg); break;
      case 'W': warmup = atol(optarg); break;
      case 's': body_size = atol(optarg); break;
      case 'P': depth = atol(optarg); break;
      case 'E': echo = 1; break;
      default:
        fprintf(stderr,
                "usage: %s [-a host] [-p port] [-n round_trips] [-W warmup] [-s body_bytes] [-P pipeline_depth] "
                "[-E echo]\n",
                argv[0]);
        return 2;
    }
  }
  if (n < 1) n = 1;
  if (warmup < 0) warmup = 0;
  if (body_size < 0) body_size = 0;
  if (depth < 1) depth = 1;

  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  pthread_t echo_tid;
  if (echo) {
    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    if (bind(listen_fd, (struct sockaddr*)&sa, sizeof sa) < 0) die("bind");
    if (listen(listen_fd, 1) < 0) die("listen");
    socklen_t sl = sizeof sa;
    getsockname(listen_fd, (struct sockaddr*)&sa, &sl);
    port = ntohs(sa.sin_port);
    host = "127.0.0.1";
    if (pthread_create(&echo_tid, NULL, echo_thread, NULL) != 0) die("pthread_create");
  } else {
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
      fprintf(stderr, "bad IPv4 address %s\n", host);
      return 2;
    }
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  if (connect(fd, (struct sockaddr*)&sa, sizeof sa) < 0) die("connect");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  /* Request: SEND_MESSAGE_V2 header as sent by cpp 2.2.0 (minus the signature).
   * The opaque is a fixed-width, space-padded field patched in place. */
  char hdr[1024];
  int hl = snprintf(hdr, sizeof hdr,
                    "{\"code\":310,\"extFields\":{\"a\":\"bench_producer_group\",\"b\":\"rmq_bench\","
                    "\"c\":\"TBW102\",\"d\":4,\"e\":3,\"f\":0,\"g\":\"1795824541824\",\"h\":0,"
                    "\"i\":\"UNIQ_KEY\\u00017F00000128DB3FDC55F48B13F8800000\\u0002WAIT\\u0001true\\u0002\","
                    "\"j\":\"0\",\"k\":\"0\",\"l\":16,\"m\":\"0\"},\"flag\":0,\"language\":\"CPP\","
                    "\"opaque\":%10d,\"remark\":\"\",\"version\":333}",
                    0);
  char* opaque_at = strstr(hdr, "\"opaque\":") + 9;
  size_t req_len = 8 + (size_t)hl + (size_t)body_size;
  char* req = malloc(req_len);
  uint32_t total = htonl((uint32_t)(4 + hl + body_size)), sh = htonl((uint32_t)hl);
  memcpy(req, &total, 4);
  memcpy(req + 4, &sh, 4);
  memcpy(req + 8, hdr, (size_t)hl);
  srand(12345);
  for (long i = 0; i < body_size; i++) req[8 + hl + i] = (char)(rand() & 0xFF);
  char* req_opaque = req + 8 + (opaque_at - hdr);

  reader_t r = {malloc(256 * 1024), 256 * 1024, 0};
  uint32_t* rt = malloc(sizeof(uint32_t) * (size_t)n);
  uint64_t sum_ns = 0, max_ns = 0;
  double cpu0 = 0;
  uint64_t t_start = 0;
  long bad = 0;
  /* Request i is sent when i - received < depth; depth 1 = strict ping-pong. */
  long total_req = warmup + n, sent = 0, recvd = 0;
  uint64_t* sent_at = malloc(sizeof(uint64_t) * (size_t)depth);
  while (recvd < total_req) {
    while (sent < total_req && sent - recvd < depth) {
      if (sent == warmup && recvd == warmup) {
        cpu0 = cpu_seconds();
        t_start = now_ns();
      }
      if (sent >= warmup && recvd < warmup) break; /* drain warm-up before measuring */
      char tmp[16];
      snprintf(tmp, sizeof tmp, "%10ld", sent % 1000000000L);
      memcpy(req_opaque, tmp, 10);
      sent_at[sent % depth] = now_ns();
      if (write_all(fd, req, req_len) < 0) die("send");
      sent++;
    }
    long fl = read_frame(fd, &r);
    uint64_t b = now_ns();
    if (fl < 0) {
      fprintf(stderr, "connection closed by peer after %ld round trips\n", recvd);
      return 1;
    }
    if (!echo) {
      /* check the opaque echo (responses come back in order): cheap scan of the header */
      char save = r.buf[fl - 1];
      r.buf[fl - 1] = 0;
      char* o = strstr(r.buf + 8, "\"opaque\":");
      if (!o || atol(o + 9) != recvd % 1000000000L) bad++;
      r.buf[fl - 1] = save;
    }
    consume(&r, (size_t)fl);
    if (recvd >= warmup) {
      uint64_t d = b - sent_at[recvd % depth];
      rt[recvd - warmup] = (uint32_t)(d > 0xFFFFFFFFull ? 0xFFFFFFFFull : d);
      sum_ns += d;
      if (d > max_ns) max_ns = d;
    }
    recvd++;
  }
  uint64_t t_end = now_ns();
  double cpu = cpu_seconds() - cpu0;
  close(fd);
  if (echo) pthread_join(echo_tid, NULL);

  qsort(rt, (size_t)n, sizeof(uint32_t), cmp_u32);
#define PCT(p) (rt[(size_t)((double)(p) * (double)(n - 1) + 0.5)] / 1000.0)
  double elapsed = (t_end - t_start) / 1e9;
  double p50 = PCT(0.50), p90 = PCT(0.90), p99 = PCT(0.99), p999 = PCT(0.999);
  double avg = sum_ns / 1000.0 / (double)n, mx = max_ns / 1000.0, mn = rt[0] / 1000.0;
  double rps = n / elapsed;
  printf("loopback_rtt: target=%s %s:%d body=%ldB n=%ld warmup=%ld depth=%ld\n", echo ? "echo" : "sink", host, port,
         body_size, n, warmup, depth);
  printf("RTT p50(us): %.1f p90(us): %.1f p99(us): %.1f p999(us): %.1f min(us): %.1f avg(us): %.1f max(us): %.1f "
         "round trips/s: %.0f client CPU/rt(us): %.2f bad responses: %ld\n",
         p50, p90, p99, p999, mn, avg, mx, rps, cpu * 1e6 / n, bad);
  printf("BENCH_JSON {\"bench\":\"loopback_rtt\",\"target\":\"%s\",\"host\":\"%s\",\"port\":%d,\"body_size\":%ld,"
         "\"round_trips\":%ld,\"warmup\":%ld,\"depth\":%ld,\"elapsed_s\":%.3f,\"rtt_per_s\":%.0f,\"p50_us\":%.2f,\"p90_us\":%.2f,"
         "\"p99_us\":%.2f,\"p999_us\":%.2f,\"min_us\":%.2f,\"avg_us\":%.2f,\"max_us\":%.2f,\"client_cpu_per_rt_us\":%.3f,"
         "\"bad_responses\":%ld}\n",
         echo ? "echo" : "sink", host, port, body_size, n, warmup, depth, elapsed, rps, p50, p90, p99, p999, mn, avg, mx,
         cpu * 1e6 / n, bad);
  return bad ? 1 : 0;
}
