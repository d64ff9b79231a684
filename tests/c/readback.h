/*
 * readback.h - read messages back from the broker with the library's own pull consumer C API
 * (CreatePullConsumer / StartPullConsumer / FetchSubscriptionMessageQueues / Pull /
 * ReleasePullResult), so that every send of a test can be compared field by field with what the
 * broker stored.
 *
 * Usage:
 *   rb_reader* r = rb_open(namesrv, topic);      // records each queue's max offset NOW
 *   ... send ...
 *   const rb_msg* m = rb_find_by_id(r, result.msgId, 15000);   // polls until found or deadline
 *   const rb_msg* k = rb_find_by_key(r, "my-key", 15000);
 *   rb_close(r);
 *
 * Only messages stored after rb_open are scanned. Every message pulled is copied (all getters
 * are read before ReleasePullResult) and kept until rb_close, so returned pointers stay valid
 * and later look-ups do not pull again. Polling is a loop of non-blocking pulls over all queues
 * with a short pause between rounds, bounded by the caller's deadline.
 * Set RB_DEBUG=1 in the environment to print every message pulled (stderr).
 */
#ifndef RMQ_TESTS_READBACK_H
#define RMQ_TESTS_READBACK_H

#include <stddef.h>

#include <rocketmq/CPullConsumer.h>

#define RB_MAX_QUEUES 64
#define RB_MAX_PROPS 16

typedef struct rb_msg {
    char* topic;
    char* tags;
    char* keys;
    char* body;          /* body_len bytes, plus a terminating NUL (not counted) */
    int body_len;        /* GetMessageBodyLength */
    char* msg_id;        /* GetMessageId */
    char* store_host;    /* GetMessageStoreHost */
    char* born_host;     /* GetMessageBornHost */
    char* broker_name;   /* of the queue it was pulled from */
    int queue_id;        /* GetMessageQueueId */
    int pulled_queue_id; /* the queue it was pulled from */
    long long queue_offset;
    long long commit_log_offset;
    long long born_timestamp;
    long long store_timestamp;
    long long prepared_transaction_offset;
    int delay_level;
    int reconsume_times;
    int store_size;
    long long seen_ms;   /* monotonic ms (rb_now_ms) of the poll that first saw it */
    int nprops;
    char* prop_names[RB_MAX_PROPS];
    char* prop_values[RB_MAX_PROPS];   /* GetMessageProperty, "" when absent */
} rb_msg;

typedef struct rb_reader rb_reader;

/* Monotonic clock in milliseconds. */
long long rb_now_ms(void);

/*
 * Starts a pull consumer (unique group) on namesrv, fetches the queues of topic and records
 * their max offsets. Retries for up to 15 s while the broker is not reachable. NULL on failure
 * (the reason is printed on stderr).
 */
rb_reader* rb_open(const char* namesrv, const char* topic);
void rb_close(rb_reader* r);

/* Also capture this property of every message pulled from now on (UNIQ_KEY, __SHARDINGKEY,
 * KEYS, TAGS, DELAY, WAIT are always captured). Returns 0, or -1 when the table is full. */
int rb_capture_property(rb_reader* r, const char* name);

int rb_queue_count(const rb_reader* r);
/* Queue id of the i-th queue (as FetchSubscriptionMessageQueues listed them). */
int rb_queue_id(const rb_reader* r, int i);
/* The offset of queue queue_id recorded by rb_open (-1 for an unknown queue). */
long long rb_start_offset(const rb_reader* r, int queue_id);

/* One round of pulls over all queues; returns the number of new messages, -1 when a pull failed
 * (the text is in rb_last_error). */
int rb_poll(rb_reader* r);
const char* rb_last_error(const rb_reader* r);

/* Look-ups among what was already pulled (no network). */
const rb_msg* rb_lookup_by_id(const rb_reader* r, const char* msg_id);
const rb_msg* rb_lookup_by_key(const rb_reader* r, const char* key);

/* Poll until a message with this id (GetMessageId or UNIQ_KEY) / key (one of the
 * space-separated KEYS) has been pulled, or timeout_ms passed (then NULL). */
const rb_msg* rb_find_by_id(rb_reader* r, const char* msg_id, int timeout_ms);
const rb_msg* rb_find_by_key(rb_reader* r, const char* key, int timeout_ms);

/* The captured value of a property of m ("" when absent, NULL when it was not captured). */
const char* rb_prop(const rb_msg* m, const char* name);

/* Number of messages pulled so far. */
int rb_count(const rb_reader* r);

/* The broker's own view, from an independent reader: runs `brokers.sh admin NAMESRV ARGS`
 * (mqadmin; the script is $RMQ_BROKERS_SH, else scripts/brokers.sh, as tests/c/run.sh sets it)
 * and keeps its output (stdout and stderr, cut to out_n - 1 bytes) in out. Returns the exit
 * status, -1 when it could not be run. ARGS is passed to the shell as is. */
int rb_admin(const char* namesrv, const char* args, char* out, size_t out_n);

#endif /* RMQ_TESTS_READBACK_H */
