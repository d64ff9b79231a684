// SPDX-License-Identifier: Apache-2.0
// Part of librocketmq-rust: what the C++ API test programs (tests/cpp) share besides check.h.
//
//   args::init(argv)            NAMESRV and TOPIC of the run, and a per-run id for tags/groups
//   unique("x")                 "x_<run id>": groups and tags old messages never match
//   now_ms(), wait_for(...)     clock and condition waits with deadlines
//   Collector, Concurrent       what a push consumer received (bodies, arrival times)
//   Waiter, SelfDeleting        async send callbacks (borrowed, and auto-delete)
//   QueueTail                   reads back, with a pull consumer, what was sent after it was made
//   expect_throw<E>(...)        a call throws E whose text contains a string
#ifndef RMQ_TESTS_CPP_COMMON_H
#define RMQ_TESTS_CPP_COMMON_H

#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "DefaultMQProducer.h"
#include "DefaultMQPullConsumer.h"
#include "DefaultMQPushConsumer.h"
#include "check.h"

namespace args {

inline std::string& namesrv() {
  static std::string s;
  return s;
}
inline std::string& topic() {
  static std::string s;
  return s;
}
// The namespace test_api's namespace part uses ("" when not given).
inline std::string& name_space() {
  static std::string s;
  return s;
}
inline std::string& run() {
  static std::string s;
  return s;
}

inline void init(const char* ns, const char* t) {
  namesrv() = ns;
  topic() = t;
  std::ostringstream id;
  id << getpid() << "_" << time(NULL);
  run() = id.str();
}

}  // namespace args

inline std::string unique(const std::string& what) { return what + "_" + args::run(); }

inline long long now_ms() {
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return static_cast<long long>(tv.tv_sec) * 1000 + tv.tv_usec / 1000;
}

// Waits until pred() holds, up to seconds.
template <class Pred>
bool wait_for(std::mutex& m, std::condition_variable& cv, int seconds, Pred pred) {
  std::unique_lock<std::mutex> lock(m);
  return cv.wait_for(lock, std::chrono::seconds(seconds), pred);
}

// What a push consumer received: bodies in order and when each arrived.
class Collector {
 public:
  void add(const rocketmq::MQMessageExt& msg) {
    std::lock_guard<std::mutex> lock(m);
    bodies.push_back(msg.getBody());
    arrived[msg.getBody()] = now_ms();
    cv.notify_all();
  }
  // Call with m held.
  bool has(const std::string& body) const { return arrived.count(body) > 0; }
  size_t count(const std::string& body) const { return std::count(bodies.begin(), bodies.end(), body); }
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::string> bodies;
  std::map<std::string, long long> arrived;
};

class Concurrent : public rocketmq::MessageListenerConcurrently {
 public:
  rocketmq::ConsumeStatus consumeMessage(const std::vector<rocketmq::MQMessageExt>& msgs) {
    for (size_t i = 0; i < msgs.size(); ++i) c.add(msgs[i]);
    return rocketmq::CONSUME_SUCCESS;
  }
  Collector c;
};

// A borrowed send callback: records the outcome.
class Waiter : public rocketmq::SendCallback {
 public:
  Waiter() : done(false), ok(false) {}
  void onSuccess(rocketmq::SendResult& r) {
    finish(r.getSendStatus() == rocketmq::SEND_OK && !r.getMsgId().empty(), r.getMessageQueue(), "");
  }
  void onException(rocketmq::MQException& e) { finish(false, rocketmq::MQMessageQueue(), e.what()); }
  bool wait(int seconds) { return wait_for(m, cv, seconds, [this] { return done; }); }
  std::mutex m;
  std::condition_variable cv;
  bool done;
  bool ok;
  rocketmq::MQMessageQueue queue;
  std::string error;

 private:
  void finish(bool success, const rocketmq::MQMessageQueue& q, const std::string& text) {
    std::lock_guard<std::mutex> lock(m);
    ok = success;
    queue = q;
    error = text;
    done = true;
    cv.notify_all();
  }
};

// Auto-delete callbacks count their successes, failures and deletions.
struct AutoDeleteCounts {
  std::mutex m;
  std::condition_variable cv;
  int succeeded = 0;
  int failed = 0;
  int deleted = 0;
};

inline AutoDeleteCounts& auto_delete_counts() {
  static AutoDeleteCounts counts;
  return counts;
}

class SelfDeleting : public rocketmq::AutoDeleteSendCallBack {
 public:
  ~SelfDeleting() { bump(auto_delete_counts().deleted); }
  void onSuccess(rocketmq::SendResult&) { bump(auto_delete_counts().succeeded); }
  void onException(rocketmq::MQException&) { bump(auto_delete_counts().failed); }

 private:
  static void bump(int& n) {
    AutoDeleteCounts& c = auto_delete_counts();
    std::lock_guard<std::mutex> lock(c.m);
    ++n;
    c.cv.notify_all();
  }
};

// Reads back what is sent to a topic after it was made: it notes each queue's end, and pulls
// from there, filtered by tag.
class QueueTail {
 public:
  QueueTail(rocketmq::DefaultMQPullConsumer& pull, const std::string& topic) : pull_(pull) {
    pull_.fetchSubscribeMessageQueues(topic, queues_);
    for (size_t i = 0; i < queues_.size(); ++i) start_[queues_[i]] = end_of(queues_[i]);
  }
  size_t queues() const { return queues_.size(); }
  int64 start(const rocketmq::MQMessageQueue& mq) { return start_[mq]; }

  // The messages with tag sent since, by body; waits up to seconds for `expected` of them.
  std::map<std::string, rocketmq::MQMessageExt> read(const std::string& tag, size_t expected, int seconds) {
    std::map<std::string, rocketmq::MQMessageExt> found;
    std::map<rocketmq::MQMessageQueue, int64> next = start_;
    long long deadline = now_ms() + seconds * 1000LL;
    while (true) {
      for (size_t i = 0; i < queues_.size(); ++i) {
        rocketmq::PullResult r = pull_.pull(queues_[i], tag, next[queues_[i]], 32);
        if (r.pullStatus != rocketmq::FOUND) continue;
        for (size_t j = 0; j < r.msgFoundList.size(); ++j) found[r.msgFoundList[j].getBody()] = r.msgFoundList[j];
        next[queues_[i]] = r.nextBeginOffset;
      }
      if (found.size() >= expected || now_ms() > deadline) return found;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

 private:
  // The queue's max offset, as any pull reports it.
  int64 end_of(const rocketmq::MQMessageQueue& mq) { return pull_.pull(mq, "*", 0, 1).maxOffset; }
  rocketmq::DefaultMQPullConsumer& pull_;
  std::vector<rocketmq::MQMessageQueue> queues_;
  std::map<rocketmq::MQMessageQueue, int64> start_;
};

// f() throws E (not another type) whose what() contains text.
template <class E, class F>
void expect_throw(const std::string& what, F f, const std::string& text) {
  try {
    f();
    CHECK(false, what + ": nothing thrown");
  } catch (E& e) {
    CHECK(std::string(e.what()).find(text) != std::string::npos, what + ": " + e.what());
  } catch (...) {
    CHECK(false, what + ": another exception type");
  }
}

// A send throws a plain MQException, not an MQClientException (2.2.0 rethrew a sliced copy),
// whose text contains text.
template <class F>
void expect_send_error(const std::string& what, F f, const std::string& text, int code = -1) {
  try {
    f();
    CHECK(false, what + ": nothing thrown");
  } catch (rocketmq::MQClientException&) {
    CHECK(false, what + ": MQClientException, 2.2.0 threw a plain MQException");
  } catch (rocketmq::MQException& e) {
    CHECK(std::string(e.GetType()).empty(), what + ": plain MQException");
    CHECK(std::string(e.what()).find(text) != std::string::npos, what + ": " + e.what());
    CHECK_EQ(e.GetError(), code, what + ": the code");
  } catch (...) {
    CHECK(false, what + ": another exception type");
  }
}

#endif  // RMQ_TESTS_CPP_COMMON_H
