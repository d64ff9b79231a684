package compat;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/** A tiny JSON object writer (no dependency): one object per line on stdout, UTF-8. */
final class Json {
  static final PrintStream OUT = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);

  private final StringBuilder sb = new StringBuilder("{");

  private Json key(String k) {
    if (sb.length() > 1) sb.append(',');
    str(sb, k);
    sb.append(':');
    return this;
  }

  Json put(String k, String v) {
    key(k);
    if (v == null) sb.append("null");
    else str(sb, v);
    return this;
  }

  Json put(String k, long v) {
    key(k).sb.append(v);
    return this;
  }

  Json put(String k, boolean v) {
    key(k).sb.append(v);
    return this;
  }

  Json putBytes(String k, byte[] v) {
    return put(k, v == null ? null : Base64.getEncoder().encodeToString(v));
  }

  Json put(String k, Map<String, String> m) {
    key(k);
    if (m == null) {
      sb.append("null");
      return this;
    }
    sb.append('{');
    boolean first = true;
    for (Map.Entry<String, String> e : new TreeMap<>(m).entrySet()) {
      if (!first) sb.append(',');
      first = false;
      str(sb, e.getKey());
      sb.append(':');
      if (e.getValue() == null) sb.append("null");
      else str(sb, e.getValue());
    }
    sb.append('}');
    return this;
  }

  @Override
  public String toString() {
    return sb.toString() + "}";
  }

  void print() {
    synchronized (OUT) {
      OUT.println(this);
      OUT.flush();
    }
  }

  private static void str(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"': sb.append("\\\""); break;
        case '\\': sb.append("\\\\"); break;
        case '\n': sb.append("\\n"); break;
        case '\r': sb.append("\\r"); break;
        case '\t': sb.append("\\t"); break;
        default:
          if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
      }
    }
    sb.append('"');
  }
}
