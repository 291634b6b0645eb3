package io.mxtls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An environment map as a C {@code envp}, in memory of our own wiped after the call. */
final class EnvStrings {
  private EnvStrings() {}

  static Mem.CStringArray of(Map<String, String> env) {
    List<byte[]> out = new ArrayList<>(env.size());
    try {
      for (Map.Entry<String, String> e : env.entrySet()) {
        String k = e.getKey();
        String v = e.getValue();
        if (k == null || v == null) continue;
        if (k.isEmpty() || k.indexOf('=') >= 0 || k.indexOf('\0') >= 0 || v.indexOf('\0') >= 0) {
          throw new IllegalArgumentException("environment entry '" + k.replace("\0", "\\0")
              + "' has an empty name, '=' in its name or a NUL character");
        }
        out.add((k + "=" + v).getBytes(StandardCharsets.UTF_8));
      }
      return new Mem.CStringArray(out);
    } finally {
      for (byte[] b : out) Mem.wipe(b);
    }
  }
}
