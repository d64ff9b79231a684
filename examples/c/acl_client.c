/*
 * acl_client.c - a producer and a push consumer on brokers with ACL (access control) on:
 * Set{Producer,PushConsumer,PullConsumer}SessionCredentials(handle, accessKey, secretKey, channel).
 *
 *   ROCKETMQ_ACCESS_KEY=... ROCKETMQ_SECRET_KEY=... acl_client [NAMESRV [TOPIC]]
 *
 * The keys come from the environment: ROCKETMQ_ACCESS_KEY / ROCKETMQ_SECRET_KEY, else
 * RMQ_ACL_ACCESS_KEY / RMQ_ACL_SECRET_KEY, the names `RMQ_PROFILE=acl scripts/brokers.sh env`
 * prints for its client account. (These are this example's names: the library itself reads no
 * credentials from the environment - a program passes them to Set*SessionCredentials.)
 *
 * With credentials, every request to a broker is signed (HMAC-SHA1 of the request; the secret
 * itself is never sent) and the broker checks the signature - Apache RocketMQ 4.x with ACL 1.0
 * (aclEnable=true, plain_acl.yml), 5.x with ACL 2.0 (authenticationEnabled=true, users made
 * with `mqadmin createUser`). The program code is the same for both. Name servers do not check.
 *
 * 1. Right keys: a push consumer and a producer with the keys; two messages sent and consumed.
 * 2. Wrong secret: StartProducer succeeds (it talks to the name server only), but the send fails
 *    with PRODUCER_SEND_SYNC_FAILED and a text that says "access denied by broker ...";
 *    StartPushConsumer fails the same way (its first rebalance asks the broker).
 * Exit 1 if any of that did not happen.
 */
#include <ctype.h>

#include "common.h"
#include "collect.h"

#define COUNT 2

static const char* env2(const char* name, const char* fallback) {
  const char* v = getenv(name);
  if (v == NULL || *v == '\0')
    v = getenv(fallback);
  return v != NULL && *v != '\0' ? v : NULL;
}

/* Case-insensitive: does the text say "access denied"? */
static int says_access_denied(const char* text) {
  for (const char* p = text; p != NULL && *p != '\0'; p++) {
    const char* want = "access denied";
    size_t i = 0;
    while (want[i] != '\0' && p[i] != '\0' && tolower((unsigned char)p[i]) == want[i])
      i++;
    if (want[i] == '\0')
      return 1;
  }
  return 0;
}

/* Runs a call that must be refused; prints its code and text, returns 1 if it said "access denied". */
static int expect_denied(const char* what, int rc) {
  const char* text = GetLatestErrorMessage();
  printf("%s returned %d: %s\n", what, rc, rc != 0 && text ? text : "(no error)");
  if (rc == 0 || !says_access_denied(text)) {
    printf("ERROR: %s should have been refused with \"access denied\"\n", what);
    return 0;
  }
  return 1;
}

int main(int argc, char** argv) {
  const char *namesrv, *topic;
  char tag[64], wrong_secret[256];
  example_args(argc, argv, &namesrv, &topic);
  const char* access_key = env2("ROCKETMQ_ACCESS_KEY", "RMQ_ACL_ACCESS_KEY");
  const char* secret_key = env2("ROCKETMQ_SECRET_KEY", "RMQ_ACL_SECRET_KEY");
  if (access_key == NULL || secret_key == NULL) {
    fprintf(stderr, "set ROCKETMQ_ACCESS_KEY and ROCKETMQ_SECRET_KEY (or: eval \"$(RMQ_PROFILE=acl "
                    "scripts/brokers.sh env)\")\n");
    return 2;
  }
  make_run_tag(tag, sizeof tag, "acl");
  printf("access key %s on %s, topic %s\n", access_key, namesrv, topic);

  /* ---- 1. the right keys */
  CPushConsumer* consumer = collector_create(namesrv, topic, tag);
  /* channel: "ALIYUN" is what 2.2.0 uses by default; Apache brokers ignore it */
  CHECK(SetPushConsumerSessionCredentials(consumer, access_key, secret_key, "ALIYUN"));
  CHECK(StartPushConsumer(consumer));

  CProducer* producer = CreateProducer("example_acl_producer");
  if (producer == NULL)
    fail("CreateProducer");
  CHECK(SetProducerNameServerAddress(producer, namesrv));
  CHECK(SetProducerSessionCredentials(producer, access_key, secret_key, "ALIYUN"));
  CHECK(StartProducer(producer));
  for (int i = 0; i < COUNT; i++) {
    char keys[128];
    snprintf(keys, sizeof keys, "%s-%d", tag, i);
    CMessage* msg = CreateMessage(topic);
    CHECK(SetMessageTags(msg, "TagAcl"));
    CHECK(SetMessageKeys(msg, keys));
    CHECK(SetMessageBody(msg, "signed with the right keys"));
    CSendResult r;
    CHECK(SendMessageSync(producer, msg, &r));
    print_send_result(keys, &r);
    DestroyMessage(msg);
  }
  CHECK(ShutdownProducer(producer));
  DestroyProducer(producer);
  int consumed = collector_wait(COUNT, 30);
  collector_close(consumer);
  int failed = !consumed;
  if (!consumed)
    printf("ERROR: consumed %d of %d messages\n", collector_total(), COUNT);

  /* ---- 2. a wrong secret */
  snprintf(wrong_secret, sizeof wrong_secret, "%s-wrong", secret_key);
  printf("\nnow with a wrong secret:\n");
  producer = CreateProducer("example_acl_producer");
  CHECK(SetProducerNameServerAddress(producer, namesrv));
  CHECK(SetProducerSessionCredentials(producer, access_key, wrong_secret, "ALIYUN"));
  CHECK(SetProducerSendMsgTimeout(producer, 3000));
  CHECK(StartProducer(producer));
  CMessage* msg = CreateMessage(topic);
  char keys[128];
  snprintf(keys, sizeof keys, "%s-refused", tag);
  CHECK(SetMessageKeys(msg, keys));
  CHECK(SetMessageBody(msg, "signed with a wrong secret"));
  CSendResult r;
  if (!expect_denied("SendMessageSync", SendMessageSync(producer, msg, &r)))
    failed = 1;
  DestroyMessage(msg);
  CHECK(ShutdownProducer(producer));
  DestroyProducer(producer);

  char group[128];
  snprintf(group, sizeof group, "example_acl_refused_%s", tag);
  CPushConsumer* refused = CreatePushConsumer(group);
  CHECK(SetPushConsumerNameServerAddress(refused, namesrv));
  CHECK(SetPushConsumerSessionCredentials(refused, access_key, wrong_secret, "ALIYUN"));
  CHECK(Subscribe(refused, topic, "*"));
  CHECK(RegisterMessageCallback(refused, collect_on_message));
  if (!expect_denied("StartPushConsumer", StartPushConsumer(refused)))
    failed = 1;
  DestroyPushConsumer(refused);

  if (failed) {
    fprintf(stderr, "ERROR: ACL did not behave as described\n");
    return 1;
  }
  printf("acl_client: %d messages sent and consumed with the right keys; a wrong secret is refused\n", COUNT);
  return 0;
}
