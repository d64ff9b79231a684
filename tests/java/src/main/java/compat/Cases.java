package compat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** The messages JavaProducer sends (c_producer.c sends the same kinds from our library). */
final class Cases {
  static final class Case {
    final String name;
    final String tags; // null: none
    final List<String> keys; // null: none
    final Map<String, String> props = new LinkedHashMap<>();
    final byte[] body;

    Case(String name, String tags, List<String> keys, byte[] body) {
      this.name = name;
      this.tags = tags;
      this.keys = keys;
      this.body = body;
    }

    Case prop(String k, String v) {
      props.put(k, v);
      return this;
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** ~10 KiB of text: compresses well (the Java producer zips bodies >= 4096 bytes). */
  static byte[] bigText(int len) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; sb.length() < len; i++) {
      sb.append(String.format("line %05d: the quick brown fox jumps over the lazy dog 0123456789\n", i));
    }
    return utf8(sb.substring(0, len));
  }

  /** "BIN" NUL, then 0..255, then 255..0: NUL bytes inside. */
  static byte[] binary() {
    byte[] b = new byte[4 + 512];
    b[0] = 'B';
    b[1] = 'I';
    b[2] = 'N';
    b[3] = 0;
    for (int i = 0; i < 256; i++) {
      b[4 + i] = (byte) i;
      b[4 + 256 + i] = (byte) (255 - i);
    }
    return b;
  }

  /** Pseudo-random bytes (fixed seed) with a NUL every 97 bytes: > 4096, so compressed too. */
  static byte[] bigBinary(int len) {
    byte[] b = new byte[len];
    new Random(20240607L).nextBytes(b);
    for (int i = 0; i < len; i += 97) b[i] = 0;
    return b;
  }

  static List<Case> all(String run) {
    return Arrays.asList(
        new Case("text", "TagA", Arrays.asList("jkey-1-" + run, "ключ-2"),
                utf8("hello from the Java client 4.9.8: ü ✓ 中文"))
            .prop("color", "blue")
            .prop("unicode", "héllo wörld ✓ 中文 ключ 🚀")
            .prop("ключ_中文", "значение 値")
            .prop("punct", "a=b;c:d \"q\" \\ / {x} [y], tab\there")
            .prop("run", run),
        new Case("big_text", "TagB", Arrays.asList("jbig-" + run), bigText(10 * 1024 + 7))
            .prop("kind", "big ✓")
            .prop("run", run),
        new Case("binary", "TagBin", Arrays.asList("jbin-" + run), binary())
            .prop("kind", "binary")
            .prop("run", run),
        new Case("big_binary", "TagBin", Arrays.asList("jbigbin-" + run), bigBinary(6000))
            .prop("kind", "big binary")
            .prop("run", run),
        new Case("len_4095", "TagA", Arrays.asList("j4095-" + run), bigText(4095)).prop("run", run),
        new Case("len_4096", "TagA", Arrays.asList("j4096-" + run), bigText(4096)).prop("run", run),
        new Case("tag_utf8", "标签-ü", Arrays.asList("jutf8-" + run), utf8("tag with non-ASCII"))
            .prop("run", run),
        new Case("bare", null, null, utf8("bare: no tags, no keys, no properties")));
  }

  private Cases() {}
}
