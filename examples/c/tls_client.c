/*
 * tls_client.c - a producer and a push consumer over TLS: Set{Producer,PushConsumer,PullConsumer}Ssl
 * and ...SslPropertyFile.
 *
 *   tls_client [NAMESRV [TOPIC [PROPERTY_FILE]]]
 *   tls_client --probe          exit 0 if this library has TLS, 77 if not (used by scripts/demo.sh)
 *
 * SetProducerSsl(producer, 1) makes every connection of that client - to name servers and to
 * brokers - use TLS. Its settings come from a Java-style property file with the upstream keys,
 * named by SetProducerSslPropertyFile (default /etc/rocketmq/tls.properties), for example
 *
 *   tls.client.trustCertPath=/etc/rocketmq/ca.pem   # the CA the servers' certificates chain to
 *   tls.client.certPath=...  tls.client.keyPath=... # a client certificate, if the servers ask
 *   tls.client.authServer=false                     # no verification (a warning is logged)
 *
 * The server certificate is verified by default, for the address connected to (brokers register
 * by IP: their certificates need an IP subjectAltName). Without PROPERTY_FILE the program does not
 * call Set*SslPropertyFile: the file named by $ROCKETMQ_TLS_PROPERTY_FILE, else the default, applies.
 * (Hosts that cannot call these functions use ROCKETMQ_TLS=1 and ROCKETMQ_TLS_PROPERTY_FILE: see
 * tls_client.py.) The same on Apache RocketMQ 4.x and 5.x (tls.server.mode=enforcing or permissive
 * on the servers).
 *
 * 1. Over TLS: a push consumer and a producer; two messages sent and consumed.
 * 2. Without TLS (SetProducerSsl(p, 0)) the same send fails: a TLS-only server hangs up, and the
 *    text says "... (does the server require TLS?)".
 * Exit 1 if any of that did not happen.
 */
#include "common.h"
#include "collect.h"

#define COUNT 2

/* Does this library implement TLS? Libraries without it refuse Start* after Set*Ssl(…, 1) with
 * "not implemented yet". A missing property file makes a TLS-capable one fail too, but differently. */
static int probe(void) {
  CProducer* p = CreateProducer("example_tls_probe");
  SetProducerNameServerAddress(p, "127.0.0.1:9");
  SetProducerSsl(p, 1);
  SetProducerSslPropertyFile(p, "/nonexistent/tls.properties");
  int rc = StartProducer(p);
  const char* text = GetLatestErrorMessage();
  int supported = rc == 0 || text == NULL || strstr(text, "not implemented") == NULL;
  printf("tls_client --probe: %s (StartProducer returned %d: %s)\n",
         supported ? "this library has TLS" : "this library has NO TLS", rc, rc && text ? text : "");
  if (rc == 0)
    ShutdownProducer(p);
  DestroyProducer(p);
  return supported ? 0 : 77;
}

int main(int argc, char** argv) {
  if (argc > 1 && strcmp(argv[1], "--probe") == 0)
    return probe();
  const char *namesrv, *topic;
  char tag[64];
  example_args(argc, argv, &namesrv, &topic);
  const char* property_file = argc > 3 ? argv[3] : NULL;
  make_run_tag(tag, sizeof tag, "tls");
  printf("TLS to %s, topic %s, property file %s\n", namesrv, topic,
         property_file ? property_file : "(the library's default)");

  /* ---- 1. over TLS */
  CPushConsumer* consumer = collector_create(namesrv, topic, tag);
  CHECK(SetPushConsumerSsl(consumer, 1));
  if (property_file)
    CHECK(SetPushConsumerSslPropertyFile(consumer, property_file));
  CHECK(StartPushConsumer(consumer)); /* fails with a text if the property file is unusable */

  CProducer* producer = CreateProducer("example_tls_producer");
  if (producer == NULL)
    fail("CreateProducer");
  CHECK(SetProducerNameServerAddress(producer, namesrv));
  CHECK(SetProducerSsl(producer, 1));
  if (property_file)
    CHECK(SetProducerSslPropertyFile(producer, property_file));
  CHECK(StartProducer(producer));
  for (int i = 0; i < COUNT; i++) {
    char keys[128];
    snprintf(keys, sizeof keys, "%s-%d", tag, i);
    CMessage* msg = CreateMessage(topic);
    CHECK(SetMessageTags(msg, "TagTls"));
    CHECK(SetMessageKeys(msg, keys));
    CHECK(SetMessageBody(msg, "sent over TLS"));
    CSendResult r;
    CHECK(SendMessageSync(producer, msg, &r)); /* a failed handshake fails here, with the reason */
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

  /* ---- 2. without TLS */
  printf("\nnow without TLS:\n");
  producer = CreateProducer("example_tls_plain_producer");
  CHECK(SetProducerNameServerAddress(producer, namesrv));
  CHECK(SetProducerSsl(producer, 0)); /* off, whatever ROCKETMQ_TLS says */
  CHECK(SetProducerSendMsgTimeout(producer, 3000));
  CHECK(StartProducer(producer));
  CMessage* msg = CreateMessage(topic);
  CHECK(SetMessageBody(msg, "plain text to a TLS-only server"));
  CSendResult r;
  int rc = SendMessageSync(producer, msg, &r);
  printf("SendMessageSync returned %d: %s\n", rc, rc ? GetLatestErrorMessage() : "(sent!)");
  if (rc == 0) {
    printf("ERROR: a plain client could send to %s: does the server accept plain connections too?\n", namesrv);
    failed = 1;
  }
  DestroyMessage(msg);
  CHECK(ShutdownProducer(producer));
  DestroyProducer(producer);

  if (failed) {
    fprintf(stderr, "ERROR: TLS did not behave as described\n");
    return 1;
  }
  printf("tls_client: %d messages sent and consumed over TLS; a plain client is turned away\n", COUNT);
  return 0;
}
