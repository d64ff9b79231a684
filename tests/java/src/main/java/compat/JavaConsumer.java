package compat;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageClientExt;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * JavaConsumer NAMESRV TOPIC[,TOPIC...] GROUP EXPECTED DEADLINE_S [EXPRESSION [LINGER_MS]]
 *
 * A Java client 4.9.8 DefaultMQPushConsumer (clustering, concurrently, from the first offset) on
 * the TOPICs; prints one JSON line per received message with every field (body as base64, props =
 * all properties, user_props = the ones that are not system properties
 * (MessageConst.STRING_HASH_SET)). Exits 0 once EXPECTED distinct message ids were received
 * and LINGER_MS (default 0) more passed (to catch duplicate deliveries), 1 at the deadline.
 */
public final class JavaConsumer {
  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      System.err.println("usage: JavaConsumer NAMESRV TOPIC[,TOPIC...] GROUP EXPECTED DEADLINE_S [EXPRESSION [LINGER_MS]]");
      System.exit(2);
    }
    String namesrv = args[0], topic = args[1], group = args[2];
    int expected = Integer.parseInt(args[3]);
    long deadline = System.currentTimeMillis() + Long.parseLong(args[4]) * 1000;
    String expression = args.length > 5 ? args[5] : "*";
    long linger = args.length > 6 ? Long.parseLong(args[6]) : 0;

    Set<String> seen = ConcurrentHashMap.newKeySet();
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
    consumer.setNamesrvAddr(namesrv);
    consumer.setInstanceName("java-compat-consumer-" + group);
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    for (String t : topic.split(",")) consumer.subscribe(t, expression);
    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
      for (MessageExt m : msgs) {
        Map<String, String> user = new HashMap<>();
        m.getProperties().forEach((k, v) -> {
          if (!MessageConst.STRING_HASH_SET.contains(k)) user.put(k, v);
        });
        String offsetMsgId = m instanceof MessageClientExt ? ((MessageClientExt) m).getOffsetMsgId() : null;
        new Json().put("receiver", "java-4.9.8-push").put("topic", m.getTopic()).put("tags", m.getTags())
            .put("keys", m.getKeys()).putBytes("body_b64", m.getBody())
            .put("body_len", m.getBody() == null ? -1 : m.getBody().length)
            .put("msg_id", m.getMsgId()).put("offset_msg_id", offsetMsgId)
            .put("queue_id", m.getQueueId()).put("queue_offset", m.getQueueOffset())
            .put("sys_flag", m.getSysFlag()).put("flag", m.getFlag()).put("store_size", m.getStoreSize())
            .put("reconsume_times", m.getReconsumeTimes()).put("delay_level", m.getDelayTimeLevel())
            .put("born_ts", m.getBornTimestamp()).put("store_ts", m.getStoreTimestamp())
            .put("born_host", String.valueOf(m.getBornHost())).put("store_host", String.valueOf(m.getStoreHost()))
            .put("commitlog_offset", m.getCommitLogOffset())
            .put("props", m.getProperties()).put("user_props", user).print();
        seen.add(m.getMsgId());
      }
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    try {
      consumer.start();
    } catch (Exception e) {
      System.err.println("JavaConsumer: start failed: " + e);
      System.exit(1);
    }
    while (seen.size() < expected && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    boolean ok = seen.size() >= expected;
    if (ok && linger > 0) Thread.sleep(linger);
    if (!ok) System.err.println("JavaConsumer: deadline with " + seen.size() + " of " + expected + " messages");
    consumer.shutdown();
    System.exit(ok ? 0 : 1);
  }
}
