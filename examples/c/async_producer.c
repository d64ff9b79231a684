/*
 * async_producer.c - SendAsync: send without waiting; the library calls back later.
 *
 *   async_producer [NAMESRV [TOPIC]]     (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)
 *
 * SendAsync returns as soon as the request is on its way. Exactly one of the two callbacks runs
 * later, on a library thread, with the send result (or the exception), the message pointer and
 * the userData pointer given to SendAsync. main() waits for all callbacks with a condition
 * variable, then reads the messages back (common.h).
 */
#include <pthread.h>

#include "common.h"

#define COUNT 4

/* State shared by main() and the callbacks. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t all_done = PTHREAD_COND_INITIALIZER;
static int finished = 0, failed = 0;

/* One per message: handed to SendAsync as userData, handed back to the callback. */
typedef struct {
  int index;
  char keys[128];
  char msg_id[MAX_MESSAGE_ID_LENGTH]; /* filled by the success callback */
} Pending;

static void one_finished(int ok) {
  pthread_mutex_lock(&lock);
  finished++;
  failed += !ok;
  pthread_cond_signal(&all_done);
  pthread_mutex_unlock(&lock);
}

static void on_success(CSendResult result, CMessage* msg, void* userData) {
  Pending* p = userData;
  (void)msg; /* the CMessage* given to SendAsync: still ours, still alive */
  snprintf(p->msg_id, sizeof p->msg_id, "%s", result.msgId);
  print_send_result(p->keys, &result);
  one_finished(1);
}

static void on_exception(CMQException e, CMessage* msg, void* userData) {
  Pending* p = userData;
  (void)msg;
  fprintf(stderr, "ERROR: async send of %s failed: error %d: %s\n", p->keys, e.error, e.msg);
  one_finished(0);
}

int main(int argc, char** argv) {
  const char *namesrv, *topic;
  char tag[64], body[128];
  Pending pending[COUNT];
  CMessage* msgs[COUNT];
  example_args(argc, argv, &namesrv, &topic);
  make_run_tag(tag, sizeof tag, "async");

  Reader reader;
  reader_open(&reader, namesrv, topic);

  CProducer* producer = CreateProducer("example_async_producer");
  if (producer == NULL)
    fail("CreateProducer");
  CHECK(SetProducerNameServerAddress(producer, namesrv));
  CHECK(StartProducer(producer));

  for (int i = 0; i < COUNT; i++) {
    pending[i].index = i;
    pending[i].msg_id[0] = '\0';
    snprintf(pending[i].keys, sizeof pending[i].keys, "%s-%d", tag, i);
    snprintf(body, sizeof body, "hello from async_producer #%d", i);
    msgs[i] = CreateMessage(topic);
    CHECK(SetMessageTags(msgs[i], "TagAsync"));
    CHECK(SetMessageKeys(msgs[i], pending[i].keys));
    CHECK(SetMessageBody(msgs[i], body));
    /* Returns at once; on_success or on_exception runs later with &pending[i]. */
    CHECK(SendAsync(producer, msgs[i], on_success, on_exception, &pending[i]));
  }

  /* Wait until every callback has run (a real program would also bound this wait). */
  pthread_mutex_lock(&lock);
  while (finished < COUNT)
    pthread_cond_wait(&all_done, &lock);
  pthread_mutex_unlock(&lock);
  if (failed) {
    fprintf(stderr, "ERROR: %d of %d async sends failed\n", failed, COUNT);
    return 1;
  }

  /* The callbacks received our message pointers: destroy the messages only now. */
  for (int i = 0; i < COUNT; i++)
    DestroyMessage(msgs[i]);
  CHECK(ShutdownProducer(producer));
  CHECK(DestroyProducer(producer));

  reader_wait(&reader, tag, COUNT, 15);
  for (int i = 0; i < COUNT; i++)
    reader_expect(&reader, pending[i].msg_id);
  reader_close(&reader);
  printf("async_producer: %d messages sent and read back\n", COUNT);
  return 0;
}
