/*
 * c_producer.c - our librocketmq.so as the producer of the Java compatibility test.
 *
 *   c_producer NAMESRV TOPIC GROUP RUN QUEUES
 *
 * Sends every case below twice: round 0 with SendMessageSync (the queue is chosen by the
 * library, so only the offset is known), round 1 with SendMessageOrderly and a selector that
 * picks queue (case index % QUEUES), so the queue id is known too. Prints one JSON line per
 * message: what was sent (topic, tags, keys, body_b64, body_len, props) and the CSendResult
 * (msg_id, queue_offset, status), plus queue_id (-1 when unknown). Then a batch of 3 messages
 * (SendBatchMessage), one line per message. Last, the fields the cases leave at their defaults:
 * a delay level and a flag, a sharding key (two messages that must share a queue) and a
 * committed transaction (its system properties). Every line also has the wall-clock window of
 * its send (born_after, born_before: the born timestamp must be inside) and the flag sent.
 * Exit 1 if a send failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rocketmq/CErrorMessage.h>
#include <rocketmq/CProducer.h>

#include "cjson.h"

typedef struct {
  const char* name;
  const char* tags; /* NULL: none */
  char keys[256];   /* "": none */
  const char* prop_keys[8];
  const char* prop_vals[8];
  unsigned char* body;
  int body_len;
  int binary; /* SetByteMessageBody instead of SetMessageBody */
} Case;

static unsigned char* big_text(int len) {
  unsigned char* b = (unsigned char*)malloc((size_t)len + 128);
  int n = 0;
  for (int i = 0; n < len; i++)
    n += snprintf((char*)b + n, 128, "line %05d: the quick brown fox jumps over the lazy dog 0123456789\n", i);
  b[len] = 0;
  return b;
}

static unsigned char* binary(int* len) {
  unsigned char* b = (unsigned char*)malloc(4 + 512);
  memcpy(b, "BIN", 4); /* with its NUL */
  for (int i = 0; i < 256; i++) {
    b[4 + i] = (unsigned char)i;
    b[4 + 256 + i] = (unsigned char)(255 - i);
  }
  *len = 4 + 512;
  return b;
}

static unsigned char* big_binary(int len) {
  unsigned char* b = (unsigned char*)malloc((size_t)len);
  unsigned long long x = 88172645463325252ULL; /* xorshift64, fixed seed */
  for (int i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b[i] = (unsigned char)(x >> 24);
  }
  for (int i = 0; i < len; i += 97)
    b[i] = 0;
  return b;
}

static long long wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static CTransactionStatus commit_local(CProducer* p, CMessage* m, void* data) {
  (void)p, (void)m, (void)data;
  return E_COMMIT_TRANSACTION;
}

static CTransactionStatus commit_check(CProducer* p, CMessageExt* m, void* data) {
  (void)p, (void)m, (void)data;
  return E_COMMIT_TRANSACTION;
}

/* A message of the last part: what it carries besides topic, tags, keys, body and "run". */
typedef struct {
  const char* name;
  const char* sender;
  int delay_level, flag;
  const char* shard;    /* sharding key, or NULL */
  const char* sys_k[2]; /* system properties the receiver must read, NULL-terminated */
  const char* sys_v[2];
  int sys_flag;         /* the stored message's sysFlag (8: a committed transaction) */
  int offset_elsewhere; /* the result's offset is in another queue (delay, half message) */
} Extra;

/* Sends one Extra with p (a transaction producer when e->sender says so) and prints its line. */
static int send_extra(CProducer* p, const Extra* e, const char* topic, const char* run) {
  char keys[160], body[160];
  snprintf(keys, sizeof keys, "cx-%s-%s", e->name, run);
  snprintf(body, sizeof body, "extra %s ✓", e->name);
  CMessage* m = CreateMessage(topic);
  SetMessageTags(m, "TagX");
  SetMessageKeys(m, keys);
  SetMessageProperty(m, "run", run);
  SetMessageBody(m, body);
  if (e->delay_level)
    SetDelayTimeLevel(m, e->delay_level);
  if (e->flag)
    SetMessageFlag(m, e->flag);
  CSendResult r;
  memset(&r, 0, sizeof r);
  long long before = wall_ms();
  int rc = strcmp(e->sender, "ours-SendMessageTransaction") == 0 ? SendMessageTransaction(p, m, commit_local, NULL, &r)
           : e->shard != NULL ? SendMessageOrderlyByShardingKey(p, m, e->shard, &r)
                              : SendMessageSync(p, m, &r);
  long long after = wall_ms();
  Jo j;
  jo_begin(&j);
  jo_str(&j, "case", e->name);
  jo_int(&j, "round", 0);
  jo_str(&j, "sender", e->sender);
  jo_str(&j, "topic", topic);
  jo_str(&j, "tags", "TagX");
  jo_str(&j, "keys", keys);
  jo_b64(&j, "body_b64", (const unsigned char*)body, (int)strlen(body));
  jo_int(&j, "body_len", (long long)strlen(body));
  jo_obj_begin(&j, "props");
  jo_str(&j, "run", run);
  if (e->shard) /* not a system property for the Java client 4.9.8 (MessageConst.STRING_HASH_SET) */
    jo_str(&j, "__SHARDINGKEY", e->shard);
  jo_obj_end(&j);
  jo_int(&j, "delay_level", e->delay_level);
  jo_int(&j, "flag", e->flag);
  jo_int(&j, "born_after", before);
  jo_int(&j, "born_before", after);
  jo_obj_begin(&j, "sys_props");
  for (int i = 0; i < 2 && e->sys_k[i]; i++)
    jo_str(&j, e->sys_k[i], e->sys_v[i]);
  jo_obj_end(&j);
  if (e->shard)
    jo_str(&j, "same_queue", e->shard);
  if (rc != 0) {
    jo_str(&j, "status", "ERROR");
    jo_int(&j, "rc", rc);
    jo_str(&j, "error", GetLatestErrorMessage());
  } else {
    jo_str(&j, "status", r.sendStatus == E_SEND_OK ? "SEND_OK" : "NOT_OK");
    jo_str(&j, "msg_id", r.msgId);
    jo_int(&j, "queue_id", -1);
    jo_int(&j, "queue_offset", e->offset_elsewhere ? -1 : r.offset);
    jo_int(&j, "sys_flag_expected", e->sys_flag);
  }
  jo_end(&j);
  DestroyMessage(m);
  return rc != 0;
}

static int select_queue(int size, CMessage* msg, void* arg) {
  (void)msg;
  return *(int*)arg % size;
}

int main(int argc, char** argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: %s NAMESRV TOPIC GROUP RUN QUEUES\n", argv[0]);
    return 2;
  }
  const char *namesrv = argv[1], *topic = argv[2], *group = argv[3], *run = argv[4];
  int queues = atoi(argv[5]);
  const char* logdir = getenv("COMPAT_LOG_DIR");

  Case cases[8];
  memset(cases, 0, sizeof cases);
  int n = 0;
  const char* text = "hello from librocketmq (Rust): ü ✓ 中文";

  Case* c = &cases[n++];
  c->name = "text";
  c->tags = "TagA";
  snprintf(c->keys, sizeof c->keys, "ckey-1-%s ключ-2", run);
  c->prop_keys[0] = "color", c->prop_vals[0] = "blue";
  c->prop_keys[1] = "unicode", c->prop_vals[1] = "héllo wörld ✓ 中文 ключ 🚀";
  c->prop_keys[2] = "ключ_中文", c->prop_vals[2] = "значение 値";
  c->prop_keys[3] = "punct", c->prop_vals[3] = "a=b;c:d \"q\" \\ / {x} [y], tab\there";
  c->prop_keys[4] = "run", c->prop_vals[4] = run;
  c->body = (unsigned char*)strdup(text);
  c->body_len = (int)strlen(text);

  c = &cases[n++];
  c->name = "big_text";
  c->tags = "TagB";
  snprintf(c->keys, sizeof c->keys, "cbig-%s", run);
  c->prop_keys[0] = "kind", c->prop_vals[0] = "big ✓";
  c->prop_keys[1] = "run", c->prop_vals[1] = run;
  c->body_len = 10 * 1024 + 7;
  c->body = big_text(c->body_len);

  c = &cases[n++];
  c->name = "binary";
  c->tags = "TagBin";
  snprintf(c->keys, sizeof c->keys, "cbin-%s", run);
  c->prop_keys[0] = "kind", c->prop_vals[0] = "binary";
  c->prop_keys[1] = "run", c->prop_vals[1] = run;
  c->body = binary(&c->body_len);
  c->binary = 1;

  c = &cases[n++];
  c->name = "big_binary";
  c->tags = "TagBin";
  snprintf(c->keys, sizeof c->keys, "cbigbin-%s", run);
  c->prop_keys[0] = "kind", c->prop_vals[0] = "big binary";
  c->prop_keys[1] = "run", c->prop_vals[1] = run;
  c->body_len = 6000;
  c->body = big_binary(c->body_len);
  c->binary = 1;

  c = &cases[n++];
  c->name = "len_4095";
  c->tags = "TagA";
  snprintf(c->keys, sizeof c->keys, "c4095-%s", run);
  c->prop_keys[0] = "run", c->prop_vals[0] = run;
  c->body_len = 4095;
  c->body = big_text(c->body_len);

  c = &cases[n++];
  c->name = "len_4096";
  c->tags = "TagA";
  snprintf(c->keys, sizeof c->keys, "c4096-%s", run);
  c->prop_keys[0] = "run", c->prop_vals[0] = run;
  c->body_len = 4096;
  c->body = big_text(c->body_len);

  c = &cases[n++];
  c->name = "tag_utf8";
  c->tags = "标签-ü";
  snprintf(c->keys, sizeof c->keys, "cutf8-%s", run);
  c->prop_keys[0] = "run", c->prop_vals[0] = run;
  c->body = (unsigned char*)strdup("tag with non-ASCII");
  c->body_len = (int)strlen((char*)c->body);

  c = &cases[n++];
  c->name = "bare";
  c->body = (unsigned char*)strdup("bare: no tags, no keys, no properties");
  c->body_len = (int)strlen((char*)c->body);

  CProducer* producer = CreateProducer(group);
  if (producer == NULL) {
    fprintf(stderr, "CreateProducer failed: %s\n", GetLatestErrorMessage());
    return 1;
  }
  SetProducerNameServerAddress(producer, namesrv);
  char inst[128];
  snprintf(inst, sizeof inst, "c-compat-producer-%s", run);
  SetProducerInstanceName(producer, inst);
  SetProducerSendMsgTimeout(producer, 10000);
  if (logdir)
    SetProducerLogPath(producer, logdir);
  if (StartProducer(producer) != 0) {
    fprintf(stderr, "StartProducer failed: %s\n", GetLatestErrorMessage());
    return 1;
  }

  int failed = 0;
  for (int round = 0; round < 2; round++) {
    for (int i = 0; i < n; i++) {
      c = &cases[i];
      CMessage* m = CreateMessage(topic);
      if (c->tags)
        SetMessageTags(m, c->tags);
      if (c->keys[0])
        SetMessageKeys(m, c->keys);
      for (int p = 0; p < 8 && c->prop_keys[p]; p++)
        SetMessageProperty(m, c->prop_keys[p], c->prop_vals[p]);
      if (c->binary)
        SetByteMessageBody(m, (const char*)c->body, c->body_len);
      else
        SetMessageBody(m, (const char*)c->body);

      CSendResult r;
      memset(&r, 0, sizeof r);
      int qi = i;
      long long before = wall_ms();
      int rc = round == 0 ? SendMessageSync(producer, m, &r)
                          : SendMessageOrderly(producer, m, select_queue, &qi, 2, &r);
      long long after = wall_ms();

      Jo j;
      jo_begin(&j);
      jo_str(&j, "case", c->name);
      jo_int(&j, "round", round);
      jo_str(&j, "sender", round == 0 ? "ours-SendMessageSync" : "ours-SendMessageOrderly");
      jo_str(&j, "topic", topic);
      jo_str(&j, "tags", c->tags);
      jo_str(&j, "keys", c->keys[0] ? c->keys : NULL);
      jo_b64(&j, "body_b64", c->body, c->body_len);
      jo_int(&j, "body_len", c->body_len);
      jo_obj_begin(&j, "props");
      for (int p = 0; p < 8 && c->prop_keys[p]; p++)
        jo_str(&j, c->prop_keys[p], c->prop_vals[p]);
      jo_obj_end(&j);
      if (rc != 0) {
        failed++;
        jo_str(&j, "status", "ERROR");
        jo_int(&j, "rc", rc);
        jo_str(&j, "error", GetLatestErrorMessage());
      } else {
        jo_str(&j, "status", r.sendStatus == E_SEND_OK ? "SEND_OK" : "NOT_OK");
        jo_int(&j, "send_status", r.sendStatus);
        jo_str(&j, "msg_id", r.msgId);
        jo_int(&j, "queue_id", round == 0 ? -1 : qi % queues);
        jo_int(&j, "queue_offset", r.offset);
        jo_int(&j, "sys_flag_expected", c->body_len >= 4096 ? 1 : 0);
        jo_int(&j, "flag", 0);
        jo_int(&j, "born_after", before);
        jo_int(&j, "born_before", after);
      }
      jo_end(&j);
      DestroyMessage(m);
    }
  }
  /* A batch of 3 (SendBatchMessage): CSendResult.msgId lists the messages' ids, comma-separated
   * (ours; 2.2.0 gave ""), offset is the first message's queue offset. */
  {
    const int nb = 3;
    CBatchMessage* batch = CreateBatchMessage();
    char names[3][16], keys[3][128], bodies[3][64], idx[3][4];
    for (int i = 0; i < nb; i++) {
      snprintf(names[i], sizeof names[i], "batch_%d", i);
      snprintf(keys[i], sizeof keys[i], "cbatch-%d-%s", i, run);
      snprintf(bodies[i], sizeof bodies[i], "batch message %d ✓", i);
      snprintf(idx[i], sizeof idx[i], "%d", i);
      CMessage* m = CreateMessage(topic);
      SetMessageTags(m, "TagBatch");
      SetMessageKeys(m, keys[i]);
      SetMessageProperty(m, "batch_index", idx[i]);
      SetMessageProperty(m, "run", run);
      SetMessageBody(m, bodies[i]);
      AddMessage(batch, m);
      DestroyMessage(m);
    }
    CSendResult r;
    memset(&r, 0, sizeof r);
    int rc = SendBatchMessage(producer, batch, &r);
    char ids[3][MAX_MESSAGE_ID_LENGTH];
    int n_ids = 0;
    if (rc == 0) {
      char copy[MAX_MESSAGE_ID_LENGTH];
      snprintf(copy, sizeof copy, "%s", r.msgId);
      for (char* tok = strtok(copy, ","); tok && n_ids < 3; tok = strtok(NULL, ","))
        snprintf(ids[n_ids++], sizeof ids[0], "%s", tok);
      if (strtok(NULL, ","))
        n_ids = -1;
    }
    for (int i = 0; i < nb; i++) {
      Jo j;
      jo_begin(&j);
      jo_str(&j, "case", names[i]);
      jo_int(&j, "round", 0);
      jo_str(&j, "sender", "ours-SendBatchMessage");
      jo_str(&j, "topic", topic);
      jo_str(&j, "tags", "TagBatch");
      jo_str(&j, "keys", keys[i]);
      jo_b64(&j, "body_b64", (const unsigned char*)bodies[i], (int)strlen(bodies[i]));
      jo_int(&j, "body_len", (long long)strlen(bodies[i]));
      jo_obj_begin(&j, "props");
      jo_str(&j, "batch_index", idx[i]);
      jo_str(&j, "run", run);
      jo_obj_end(&j);
      if (rc != 0 || n_ids != nb) {
        failed++;
        jo_str(&j, "status", "ERROR");
        jo_int(&j, "rc", rc);
        jo_str(&j, "error", rc != 0 ? GetLatestErrorMessage() : "CSendResult.msgId does not list 3 ids");
        jo_str(&j, "batch_msg_id", r.msgId);
      } else {
        jo_str(&j, "status", r.sendStatus == E_SEND_OK ? "SEND_OK" : "NOT_OK");
        jo_str(&j, "msg_id", ids[i]);
        jo_int(&j, "queue_id", -1);
        jo_int(&j, "queue_offset", r.offset + i);
        jo_int(&j, "sys_flag_expected", 0);
      }
      jo_end(&j);
    }
    DestroyBatchMessage(batch);
  }

  /* The fields left at their defaults above. */
  {
    char shard[128], txgroup[160];
    snprintf(shard, sizeof shard, "shard-%s", run);
    snprintf(txgroup, sizeof txgroup, "%s_tx", group);
    const Extra delayed = {"delay_flag", "ours-SendMessageSync", 1, 12345, NULL, {"DELAY", NULL}, {"1", NULL}, 0, 1};
    const Extra shard0 = {"shard_0", "ours-SendMessageOrderlyByShardingKey", 0, 0, shard, {NULL}, {NULL}, 0, 0};
    const Extra shard1 = {"shard_1", "ours-SendMessageOrderlyByShardingKey", 0, 0, shard, {NULL}, {NULL}, 0, 0};
    const Extra tx = {"tx_commit", "ours-SendMessageTransaction", 0, 0, NULL, {"PGROUP", NULL}, {txgroup, NULL}, 8, 1};
    failed += send_extra(producer, &delayed, topic, run);
    failed += send_extra(producer, &shard0, topic, run);
    failed += send_extra(producer, &shard1, topic, run);
    CProducer* txp = CreateTransactionProducer(txgroup, commit_check, NULL);
    SetProducerNameServerAddress(txp, namesrv);
    SetProducerSendMsgTimeout(txp, 10000);
    if (StartProducer(txp) != 0) {
      fprintf(stderr, "StartProducer (transactions) failed: %s\n", GetLatestErrorMessage());
      failed++;
    } else {
      failed += send_extra(txp, &tx, topic, run);
      ShutdownProducer(txp);
    }
    DestroyProducer(txp);
  }

  ShutdownProducer(producer);
  DestroyProducer(producer);
  for (int i = 0; i < n; i++)
    free(cases[i].body);
  return failed ? 1 : 0;
}
