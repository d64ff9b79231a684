// SPDX-License-Identifier: Apache-2.0
// Part of librocketmq-rust: cpp_producer_bench, synchronous sends through the 2.2.0 C++ API
// (rocketmq::DefaultMQProducer::send), the counterpart of bench/producer_bench.c's sync mode
// (which sends through the C API) for measuring what the C++ layer adds.
//
// Flags (as producer_bench): -n namesrv, -t topic, -g group, -m measured messages per thread
// (default 100000), -T threads sharing one producer (default 1), -s body bytes (default 1024),
// -W warm-up messages per thread (default 2000), -o send timeout ms (default 3000), -q quiet.
// Each send builds a fresh MQMessage (topic, body), as a C++ program does, like producer_bench's
// fresh CMessage per send. CPU/msg = getrusage(RUSAGE_SELF) user+sys over the measured phase
// (library threads included) / measured messages.
// Output: the producer_bench summary lines and a "BENCH_JSON {...}" line with its field names
// ("api":"cpp").
//
// Build (scripts/bench.sh does): g++ -O2 -std=c++11 -pthread -I include/rocketmq
//   bench/cpp_producer_bench.cpp -L target/release -lrocketmq -Wl,-rpath,$PWD/target/release
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "DefaultMQProducer.h"

namespace {

std::string g_namesrv = "127.0.0.1:9876", g_topic = "rmq_bench", g_group = "bench_cpp_producer_group";
long g_count = 100000, g_warmup = 2000;
int g_threads = 1, g_size = 1024, g_timeout_ms = 3000;
bool g_quiet = false;

uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + ts.tv_nsec;
}

int count_threads() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') ++n;
    closedir(d);
  }
  return n;
}

double seconds(const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; }

// All workers warm up, wait here, then the measured phase starts for all at once.
class Gate {
 public:
  explicit Gate(int n) : waiting_(n), open_(false) {}
  void arrive_and_wait() {
    std::unique_lock<std::mutex> lock(m_);
    if (--waiting_ == 0) cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
  }
  void wait_all_arrived() {
    std::unique_lock<std::mutex> lock(m_);
    cv_.wait(lock, [this] { return waiting_ == 0; });
  }
  void open() {
    std::lock_guard<std::mutex> lock(m_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  int waiting_;
  bool open_;
};

struct Worker {
  std::vector<uint32_t> rts;
  long ok = 0, failed = 0, response_failed = 0;
  std::string first_error;
};

void send_one(rocketmq::DefaultMQProducer& producer, const std::string& body, Worker& w, bool measured) {
  uint64_t t0 = now_ns();
  try {
    rocketmq::MQMessage msg(g_topic, body);
    rocketmq::SendResult r = producer.send(msg);
    if (!measured) return;
    ++w.ok;
    if (r.getSendStatus() != rocketmq::SEND_OK) ++w.response_failed;
    w.rts.push_back(static_cast<uint32_t>((now_ns() - t0) / 1000));
  } catch (rocketmq::MQException& e) {
    if (!measured) return;
    ++w.failed;
    if (w.first_error.empty()) w.first_error = e.what();
  }
}

void json_text(const std::string& s) {
  putchar('"');
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

void usage(const char* self) {
  fprintf(stderr, "usage: %s [-n namesrv] [-t topic] [-g group] [-m count] [-T threads] [-s bytes] [-W warmup] [-o ms] [-q]\n", self);
  exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  int opt;
  while ((opt = getopt(argc, argv, "n:t:g:m:T:s:W:o:q")) != -1) {
    switch (opt) {
      case 'n': g_namesrv = optarg; break;
      case 't': g_topic = optarg; break;
      case 'g': g_group = optarg; break;
      case 'm': g_count = atol(optarg); break;
      case 'T': g_threads = atoi(optarg); break;
      case 's': g_size = atoi(optarg); break;
      case 'W': g_warmup = atol(optarg); break;
      case 'o': g_timeout_ms = atoi(optarg); break;
      case 'q': g_quiet = true; break;
      default: usage(argv[0]);
    }
  }
  if (g_count < 1 || g_threads < 1 || g_size < 1 || g_warmup < 0) usage(argv[0]);
  printf("cpp_producer_bench: mode=sync api=cpp threads=%d messages/thread=%ld body=%dB warmup/thread=%ld namesrv=%s topic=%s group=%s\n",
         g_threads, g_count, g_size, g_warmup, g_namesrv.c_str(), g_topic.c_str(), g_group.c_str());
  fflush(stdout);

  rocketmq::DefaultMQProducer producer(g_group);
  producer.setNamesrvAddr(g_namesrv);
  producer.setSendMsgTimeout(g_timeout_ms);
  try {
    producer.start();
  } catch (rocketmq::MQException& e) {
    fprintf(stderr, "start failed: %s\n", e.what());
    return 1;
  }

  std::vector<Worker> workers(g_threads);
  std::vector<std::thread> threads;
  Gate gate(g_threads);
  for (int i = 0; i < g_threads; ++i) {
    workers[i].rts.reserve(g_count);
    threads.push_back(std::thread([&, i] {
      std::string body(g_size, static_cast<char>('a' + i % 26));
      for (long k = 0; k < g_warmup; ++k) send_one(producer, body, workers[i], false);
      gate.arrive_and_wait();
      for (long k = 0; k < g_count; ++k) send_one(producer, body, workers[i], true);
    }));
  }
  gate.wait_all_arrived();
  int threads_peak = count_threads() - g_threads;  // main and the library's threads
  if (!g_quiet) fprintf(stderr, "cpp_producer_bench: warm-up done, measuring\n");
  rusage ru0, ru1;
  getrusage(RUSAGE_SELF, &ru0);
  uint64_t t0 = now_ns();
  gate.open();
  for (size_t i = 0; i < threads.size(); ++i) threads[i].join();
  uint64_t t1 = now_ns();
  getrusage(RUSAGE_SELF, &ru1);
  producer.shutdown();

  std::vector<uint32_t> all;
  long ok = 0, failed = 0, response_failed = 0;
  std::string first_error;
  for (size_t i = 0; i < workers.size(); ++i) {
    all.insert(all.end(), workers[i].rts.begin(), workers[i].rts.end());
    ok += workers[i].ok;
    failed += workers[i].failed;
    response_failed += workers[i].response_failed;
    if (first_error.empty()) first_error = workers[i].first_error;
  }
  std::sort(all.begin(), all.end());
  size_t n = all.size();
  uint32_t p50 = n ? all[static_cast<size_t>(0.50 * (n - 1) + 0.5)] : 0;
  uint32_t p99 = n ? all[static_cast<size_t>(0.99 * (n - 1) + 0.5)] : 0;
  uint32_t p999 = n ? all[static_cast<size_t>(0.999 * (n - 1) + 0.5)] : 0;
  uint32_t max_us = n ? all[n - 1] : 0;
  double sum = 0;
  for (size_t i = 0; i < n; ++i) sum += all[i];
  double avg_us = n ? sum / n : 0;
  double elapsed = (t1 - t0) / 1e9;
  double tps = ok / elapsed;
  double cpu_user = seconds(ru1.ru_utime) - seconds(ru0.ru_utime);
  double cpu_sys = seconds(ru1.ru_stime) - seconds(ru0.ru_stime);
  long attempted = ok + failed;
  double cpu_per_msg = attempted ? (cpu_user + cpu_sys) * 1e6 / attempted : 0;

  printf("Send TPS: %d Max RT(ms): %d Average RT(ms): %7.3f Send Failed: %ld Response Failed: %ld\n", static_cast<int>(tps + 0.5),
         static_cast<int>(max_us / 1000), avg_us / 1000.0, failed, response_failed);
  printf("RT p50(us): %u p99(us): %u CPU/msg(us): %.1f\n", p50, p99, cpu_per_msg);
  if (!first_error.empty()) printf("first error: %s\n", first_error.c_str());
  printf("BENCH_JSON {\"bench\":\"producer\",\"api\":\"cpp\",\"mode\":\"sync\",\"namesrv\":");
  json_text(g_namesrv);
  printf(",\"topic\":");
  json_text(g_topic);
  printf(",\"group\":");
  json_text(g_group);
  printf(",\"threads\":%d,\"messages_per_thread\":%ld,\"body_size\":%d,\"warmup_per_thread\":%ld,\"send_timeout_ms\":%d,"
         "\"ok\":%ld,\"send_failed\":%ld,\"response_failed\":%ld,\"rt_samples\":%zu,\"elapsed_s\":%.4f,\"tps\":%.1f,"
         "\"max_rt_ms\":%d,\"avg_rt_ms\":%.4f,\"p50_us\":%u,\"p99_us\":%u,\"p999_us\":%u,\"max_us\":%u,\"avg_us\":%.2f,"
         "\"cpu_user_s\":%.4f,\"cpu_sys_s\":%.4f,\"cpu_per_msg_us\":%.3f,\"threads_peak\":%d,\"first_error\":",
         g_threads, g_count, g_size, g_warmup, g_timeout_ms, ok, failed, response_failed, n, elapsed, tps,
         static_cast<int>(max_us / 1000), avg_us / 1000.0, p50, p99, p999, max_us, avg_us, cpu_user, cpu_sys, cpu_per_msg, threads_peak);
  json_text(first_error);
  printf("}\n");
  return ok == 0 ? 1 : 0;
}
