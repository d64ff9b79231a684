/*
 * transaction_producer.c - transactional messages: CreateTransactionProducer,
 * SendMessageTransaction, the local-transaction executor and the broker's check-back.
 *
 *   transaction_producer [NAMESRV [TOPIC]]   (defaults: $NAMESRV_ADDR or 127.0.0.1:9876, rmq_demo)
 *
 * How a transaction works: SendMessageTransaction stores a "half" message on the broker (no
 * consumer sees it yet), then runs the executor on the calling thread - that is where the
 * application does its local work (a database update, say) - and sends the executor's verdict:
 *   E_COMMIT_TRANSACTION    the message becomes visible to consumers
 *   E_ROLLBACK_TRANSACTION  the half message is dropped
 *   E_UNKNOWN_TRANSACTION   (or any other value) undecided: the broker asks again later by
 *                           calling the CHECKER given to CreateTransactionProducer, on a thread
 *                           of the library, until it gets commit or rollback
 * The checker must answer from the application's own record of the transaction (the executor's
 * answer may have been lost on the way), as it does here.
 *
 * Three transactions: one committed, one rolled back, one left unknown by the executor and
 * committed by the checker. A push consumer (collect.h) started before the sends must get
 * exactly the two committed messages, each once, and never the rolled-back one; otherwise the
 * program exits 1.
 *
 * Timing: the broker checks undecided transactions older than transactionTimeOut (default 6 s)
 * every transactionCheckInterval (default 60 s on 4.x, 30 s on 5.x); scripts/brokers.sh sets 2 s
 * and 1 s, so the checker runs within a few seconds here. The API and the outcome are the same
 * on Apache RocketMQ 4.x and 5.x.
 */
#include <rocketmq/CMessageExt.h>

#include "common.h"
#include "collect.h"

#define N 3
#define QUIET_MS 4000 /* how long the rolled-back message must stay away after the last commit */

/* The application's record of its local transactions, by message keys. */
typedef enum { TX_NONE, TX_COMMITTED, TX_ROLLED_BACK, TX_PENDING } TxState;
static const char* names[N] = {"commit", "rollback", "unknown"};
static char tx_keys[N][128];
static TxState tx_state[N]; /* under tx_lock */
static pthread_mutex_t tx_lock = PTHREAD_MUTEX_INITIALIZER;
static int checks;

static int tx_index(const char* keys) {
  for (int i = 0; keys != NULL && i < N; i++)
    if (strcmp(tx_keys[i], keys) == 0)
      return i;
  return -1;
}

/* The executor: called by SendMessageTransaction on this thread once the half message is
 * stored. userData is the last argument of SendMessageTransaction: here the transaction's index. */
static CTransactionStatus execute_local_transaction(CProducer* producer, CMessage* msg, void* userData) {
  (void)producer;
  (void)msg;
  int i = *(int*)userData;
  CTransactionStatus verdict;
  pthread_mutex_lock(&tx_lock);
  switch (i) {
    case 0: tx_state[i] = TX_COMMITTED; verdict = E_COMMIT_TRANSACTION; break;
    case 1: tx_state[i] = TX_ROLLED_BACK; verdict = E_ROLLBACK_TRANSACTION; break;
    default: tx_state[i] = TX_PENDING; verdict = E_UNKNOWN_TRANSACTION; break; /* not finished yet */
  }
  pthread_mutex_unlock(&tx_lock);
  printf("executor   %-8s -> %s\n", names[i],
         verdict == E_COMMIT_TRANSACTION ? "COMMIT" : verdict == E_ROLLBACK_TRANSACTION ? "ROLLBACK" : "UNKNOWN");
  return verdict;
}

/* The checker: the broker asks about a transaction it has no verdict for. msg is the whole half
 * message (keys, body, properties); userData is the one given to CreateTransactionProducer. */
static CTransactionStatus check_local_transaction(CProducer* producer, CMessageExt* msg, void* userData) {
  (void)producer;
  (void)userData;
  const char* keys = GetMessageKeys(msg);
  int i = tx_index(keys);
  CTransactionStatus verdict = E_UNKNOWN_TRANSACTION; /* not one of ours: no idea (yet) */
  pthread_mutex_lock(&tx_lock);
  if (i >= 0) {
    checks++;
    if (tx_state[i] == TX_PENDING) /* the local transaction has finished meanwhile: it worked */
      tx_state[i] = TX_COMMITTED;
    verdict = tx_state[i] == TX_COMMITTED    ? E_COMMIT_TRANSACTION
              : tx_state[i] == TX_ROLLED_BACK ? E_ROLLBACK_TRANSACTION
                                              : E_UNKNOWN_TRANSACTION;
  }
  pthread_mutex_unlock(&tx_lock);
  printf("checker    keys=%s msgId=%s -> %s\n", keys ? keys : "(none)", GetMessageId(msg),
         verdict == E_COMMIT_TRANSACTION ? "COMMIT" : verdict == E_ROLLBACK_TRANSACTION ? "ROLLBACK" : "UNKNOWN");
  fflush(stdout);
  return verdict;
}

int main(int argc, char** argv) {
  const char *namesrv, *topic;
  char tag[64], group[96], msg_id[N][MAX_MESSAGE_ID_LENGTH];
  example_args(argc, argv, &namesrv, &topic);
  make_run_tag(tag, sizeof tag, "tx");

  CPushConsumer* consumer = collector_create(namesrv, topic, tag);
  CHECK(StartPushConsumer(consumer));

  /* Check-backs go to any producer of the group: a group of its own keeps other programs'
   * transactions away from this checker. */
  snprintf(group, sizeof group, "example_tx_producer_%s", tag);
  CProducer* producer = CreateTransactionProducer(group, check_local_transaction, NULL);
  if (producer == NULL)
    fail("CreateTransactionProducer");
  CHECK(SetProducerNameServerAddress(producer, namesrv));
  CHECK(StartProducer(producer));

  int index[N];
  for (int i = 0; i < N; i++) {
    char body[96];
    index[i] = i;
    snprintf(tx_keys[i], sizeof tx_keys[i], "%s-%s", tag, names[i]);
    snprintf(body, sizeof body, "transaction %d: the executor answers %s", i, names[i]);
    CMessage* msg = CreateMessage(topic);
    CHECK(SetMessageTags(msg, "TagTx"));
    CHECK(SetMessageKeys(msg, tx_keys[i]));
    CHECK(SetMessageBody(msg, body));
    CSendResult r;
    CHECK(SendMessageTransaction(producer, msg, execute_local_transaction, &index[i], &r));
    print_send_result(names[i], &r);
    snprintf(msg_id[i], sizeof msg_id[i], "%s", r.msgId);
    DestroyMessage(msg);
  }

  /* The committed one arrives at once; the unknown one once the broker's check-back got COMMIT. */
  printf("waiting for the two committed messages (the checker runs within a few seconds)...\n");
  int ok = collector_wait(2, 60);
  long long last = now_ms();
  /* Give the rolled-back transaction (and any duplicate) time to show up, should it ever. */
  while (now_ms() - last < QUIET_MS)
    usleep(100 * 1000);
  CHECK(ShutdownProducer(producer)); /* no checker runs after this returned */
  DestroyProducer(producer);
  collector_close(consumer);

  int failed = !ok;
  for (int i = 0; i < N; i++) {
    int want = i == 1 ? 0 : 1, got = collector_count(tx_keys[i]);
    const Arrival* a = collector_find(tx_keys[i]);
    printf("%-8s consumed %d time(s), expected %d\n", names[i], got, want);
    if (got != want) {
      failed = 1;
    } else if (a != NULL && strcmp(a->msg_id, msg_id[i]) != 0) {
      printf("ERROR: %s arrived with id %s, SendMessageTransaction returned %s\n", names[i], a->msg_id, msg_id[i]);
      failed = 1;
    }
  }
  if (checks == 0) {
    printf("ERROR: the checker was never called\n");
    failed = 1;
  }
  if (failed) {
    fprintf(stderr, "ERROR: the consumer did not get exactly the committed transactions\n");
    return 1;
  }
  printf("transaction_producer: committed and checked-then-committed messages consumed once each, "
         "the rolled-back one never (%d check-back(s))\n", checks);
  return 0;
}
