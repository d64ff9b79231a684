package compat;

import java.util.ArrayList;
import java.util.List;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;

/**
 * JavaProducer NAMESRV TOPIC GROUP RUN
 *
 * Sends with the Java client 4.9.8 (DefaultMQProducer.send, synchronous):
 *   round 0: every case of Cases.all(RUN) (bodies >= 4096 bytes are zlib-compressed by the Java
 *            producer, sysflag 0x301), then a batch of 3 messages (send(Collection));
 *   round 1: the cases with a body >= 4096 bytes, from a producer with compressType LZ4 (0x101);
 *   round 2: the same with ZSTD (0x201).
 * Prints one JSON line per message: what was sent (topic, tags, keys, body_b64, body_len, props)
 * and the send result (msg_id = getMsgId(), i.e. the UNIQ_KEY (for a batch: its part of the
 * comma-separated list), offset_msg_id, queue_id, queue_offset, status, broker). Exit 1 on any
 * failure.
 */
public final class JavaProducer {
  private static int failed;

  private static Json describe(Cases.Case c, int round, String topic, Message m) {
    return new Json().put("case", c.name).put("round", round).put("sender", "java-4.9.8")
        .put("topic", topic).put("tags", c.tags).put("keys", m.getKeys())
        .putBytes("body_b64", c.body).put("body_len", c.body.length).put("props", c.props);
  }

  private static Message message(String topic, Cases.Case c) {
    Message m = new Message(topic, c.body);
    if (c.tags != null) m.setTags(c.tags);
    if (c.keys != null) m.setKeys(c.keys);
    c.props.forEach(m::putUserProperty);
    return m;
  }

  private static DefaultMQProducer start(String namesrv, String group, String run, String compressType)
      throws Exception {
    // The compressor is chosen from this property when the producer is constructed.
    System.setProperty("rocketmq.message.compressType", compressType);
    DefaultMQProducer producer = new DefaultMQProducer(group + "_" + compressType);
    producer.setNamesrvAddr(namesrv);
    producer.setInstanceName("java-compat-producer-" + run + "-" + compressType);
    producer.setSendMsgTimeout(10000);
    producer.start();
    return producer;
  }

  private static void send(DefaultMQProducer producer, String topic, Cases.Case c, int round) {
    Message m = message(topic, c);
    Json j = describe(c, round, topic, m).put("compress_type", String.valueOf(producer.getDefaultMQProducerImpl().getCompressType()));
    try {
      SendResult sr = producer.send(m);
      j.put("status", sr.getSendStatus().name()).put("msg_id", sr.getMsgId())
          .put("offset_msg_id", sr.getOffsetMsgId())
          .put("broker", sr.getMessageQueue().getBrokerName())
          .put("queue_id", sr.getMessageQueue().getQueueId())
          .put("queue_offset", sr.getQueueOffset())
          .put("sys_flag_expected", c.body.length >= producer.getCompressMsgBodyOverHowmuch()
              ? 1 | producer.getDefaultMQProducerImpl().getCompressType().getCompressionFlag() : 0);
    } catch (Exception e) {
      failed++;
      j.put("status", "EXCEPTION").put("error", String.valueOf(e));
    }
    j.print();
  }

  private static void sendBatch(DefaultMQProducer producer, String topic, String run) {
    List<Cases.Case> cases = new ArrayList<>();
    List<Message> batch = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Cases.Case c = new Cases.Case("batch_" + i, "TagBatch", List.of("jbatch-" + i + "-" + run),
          Cases.utf8("batch message " + i + " ✓")).prop("batch_index", String.valueOf(i)).prop("run", run);
      cases.add(c);
      batch.add(message(topic, c));
    }
    SendResult sr = null;
    String error = null;
    try {
      sr = producer.send(batch);
    } catch (Exception e) {
      error = String.valueOf(e);
    }
    String[] ids = sr == null ? new String[0] : sr.getMsgId().split(",");
    for (int i = 0; i < cases.size(); i++) {
      Json j = describe(cases.get(i), 0, topic, batch.get(i)).put("batch", true);
      if (sr == null || ids.length != cases.size()) {
        failed++;
        j.put("status", "ERROR").put("error", error != null ? error : "batch msgId " + sr.getMsgId());
      } else {
        j.put("status", sr.getSendStatus().name()).put("msg_id", ids[i])
            .put("broker", sr.getMessageQueue().getBrokerName())
            .put("queue_id", sr.getMessageQueue().getQueueId())
            .put("queue_offset", sr.getQueueOffset() + i)
            .put("sys_flag_expected", 0);
      }
      j.print();
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println("usage: JavaProducer NAMESRV TOPIC GROUP RUN");
      System.exit(2);
    }
    String namesrv = args[0], topic = args[1], group = args[2], run = args[3];
    String[] types = {"ZLIB", "LZ4", "ZSTD"};
    for (int round = 0; round < types.length; round++) {
      DefaultMQProducer producer;
      try {
        producer = start(namesrv, group, run, types[round]);
      } catch (Exception e) {
        System.err.println("JavaProducer: start failed: " + e);
        System.exit(1);
        return;
      }
      try {
        for (Cases.Case c : Cases.all(run)) {
          if (round == 0 || c.body.length >= producer.getCompressMsgBodyOverHowmuch()) send(producer, topic, c, round);
        }
        if (round == 0) sendBatch(producer, topic, run);
      } finally {
        producer.shutdown();
      }
    }
    System.exit(failed == 0 ? 0 : 1);
  }
}
