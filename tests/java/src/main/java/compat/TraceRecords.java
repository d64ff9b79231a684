package compat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.rocketmq.client.QueryResult;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.trace.TraceBean;
import org.apache.rocketmq.client.trace.TraceContext;
import org.apache.rocketmq.client.trace.TraceDataEncoder;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * Message trace (tests/trace/run.sh): finds the trace messages keyed by each message id, as
 * `mqadmin queryMsgTraceById` does, and decodes every body with the Java 4.9.8 client's own
 * decoder (TraceDataEncoder.decoderFromTraceDataString).
 *
 *   TraceRecords NAMESRV TRACE_TOPIC MSG_ID...
 *
 * Prints JSON lines: per trace message {"kind":"message","key","traceMsgId","keys","records",
 * "decoded","error"} (records = U+0002-terminated records in the body, decoded = contexts the
 * decoder returned, error = its exception, if any); per decoded context {"kind":"context",
 * "key","traceMsgId","type",...all context and bean fields}. A key with no trace message gives
 * {"kind":"none","key"}.
 */
public final class TraceRecords {
  public static void main(String[] args) throws Exception {
    DefaultMQProducer reader = new DefaultMQProducer("trace_reader_" + ProcessHandle.current().pid());
    reader.setNamesrvAddr(args[0]);
    reader.setInstanceName("trace_reader_" + ProcessHandle.current().pid());
    reader.start();
    String topic = args[1];
    try {
      for (int i = 2; i < args.length; i++) {
        read(reader, topic, args[i]);
      }
    } finally {
      reader.shutdown();
    }
  }

  private static void read(DefaultMQProducer reader, String topic, String key) {
    QueryResult result;
    try {
      result = reader.queryMessage(topic, key, 64, 0, System.currentTimeMillis() + 60_000);
    } catch (Exception e) {
      new Json().put("kind", "none").put("key", key).put("error", e.toString()).print();
      return;
    }
    for (MessageExt m : result.getMessageList()) {
      if (!topic.equals(m.getTopic())) continue;
      String body = new String(m.getBody(), StandardCharsets.UTF_8);
      int records = 0;
      for (int i = 0; i < body.length(); i++) {
        if (body.charAt(i) == '\u0002') records++;
      }
      List<TraceContext> contexts = null;
      String error = null;
      try {
        contexts = TraceDataEncoder.decoderFromTraceDataString(body);
      } catch (RuntimeException e) {
        error = e.toString();
      }
      new Json().put("kind", "message").put("key", key).put("traceMsgId", m.getMsgId()).put("keys", m.getKeys())
          .put("tags", m.getTags()).put("records", records).put("decoded", contexts == null ? -1 : contexts.size())
          .put("error", error).print();
      if (contexts == null) continue;
      for (TraceContext c : contexts) {
        for (TraceBean b : c.getTraceBeans()) {
          if (!key.equals(b.getMsgId())) continue;
          new Json().put("kind", "context").put("key", key).put("traceMsgId", m.getMsgId())
              .put("type", String.valueOf(c.getTraceType())).put("timeStamp", c.getTimeStamp())
              .put("regionId", c.getRegionId()).put("groupName", c.getGroupName())
              .put("costTime", c.getCostTime()).put("success", c.isSuccess()).put("requestId", c.getRequestId())
              .put("contextCode", c.getContextCode()).put("topic", b.getTopic()).put("msgId", b.getMsgId())
              .put("tags", b.getTags()).put("keys", b.getKeys()).put("storeHost", b.getStoreHost())
              .put("bodyLength", b.getBodyLength()).put("msgType", String.valueOf(b.getMsgType()))
              .put("offsetMsgId", b.getOffsetMsgId()).put("retryTimes", b.getRetryTimes())
              .put("transactionId", b.getTransactionId())
              .put("transactionState", String.valueOf(b.getTransactionState()))
              .put("fromTransactionCheck", b.isFromTransactionCheck()).print();
        }
      }
    }
  }
}
