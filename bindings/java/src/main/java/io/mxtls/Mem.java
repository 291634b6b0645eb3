package io.mxtls;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Native memory of our own: error buffers, secrets we wipe, NULL-terminated string arrays. */
final class Mem {
  private Mem() {}

  private static final ThreadLocal<Memory> SCRATCH_ERROR = ThreadLocal.withInitial(Mem::errorBuffer);

  /** A zeroed, caller-allocated mxtls_error (sized by mxtls_error_size()). */
  static Memory errorBuffer() {
    Memory m = new Memory(NativeLoader.get().errorSize);
    m.clear();
    return m;
  }

  /** A per-thread error buffer for hot paths; read it before the next call on this thread. */
  static Memory scratchError() {
    return SCRATCH_ERROR.get();
  }

  /** A native copy of bytes (at least one byte, so a pointer always exists); wipe with {@link #wipe}. */
  static Memory copy(byte[] bytes, int off, int len) {
    Memory m = new Memory(Math.max(len, 1));
    m.clear();
    if (len > 0) m.write(0, bytes, off, len);
    return m;
  }

  /** Zero and release native memory. */
  static void wipe(Memory m) {
    if (m != null) {
      m.clear();
      m.close();
    }
  }

  /** Bytes at p (a copy). */
  static byte[] read(Pointer p, long len) {
    if (p == null || len <= 0) return new byte[0];
    return p.getByteArray(0, Math.toIntExact(len));
  }

  /**
   * Copy a buffer libmxtls returned through (ptrOut, lenOut) into a byte[] of ours, then wipe and
   * free the C one (mxtls_free_secret) at once.
   */
  static byte[] takeSecret(Memory ptrOut, Memory lenOut) {
    Pointer p = ptrOut.getPointer(0);
    long len = lenOut.getLong(0);
    try {
      return read(p, len);
    } finally {
      Ffi.mxtls_free_secret(p, len);
      ptrOut.clear();
    }
  }

  /**
   * A NUL-terminated UTF-8 copy of text that may be non-ASCII (friendly names, input names) in
   * memory of our own, or null for null: JNA's own String conversion follows the platform
   * charset, which is US-ASCII under the C locale on Java 17.
   */
  static Memory utf8(String s) {
    if (s == null) return null;
    if (s.indexOf('\0') >= 0) throw new IllegalArgumentException("a string contains a NUL character");
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    Memory m = new Memory(b.length + 1L);
    m.clear();
    m.write(0, b, 0, b.length);
    return m;
  }

  /** A borrowed C string read as UTF-8 (null for NULL). */
  static String utf8(Pointer p) {
    return p == null ? null : p.getString(0, "UTF-8");
  }

  /** A NUL-terminated string from a buffer we passed to C (UTF-8, up to the first NUL). */
  static String cString(byte[] buf) {
    int end = 0;
    while (end < buf.length && buf[end] != 0) end++;
    return new String(buf, 0, end, StandardCharsets.UTF_8);
  }

  /**
   * A NULL-terminated {@code char *[]} in memory of our own, wiped by {@link #close()}: values
   * holding secrets (CLIENT_CERTIFICATES passwords) never sit in JNA's conversion buffers.
   */
  static final class CStringArray implements AutoCloseable {
    final Memory array;
    private final Memory storage;
    final int count;

    CStringArray(List<byte[]> strings) {
      int total = 1;
      for (byte[] s : strings) total += s.length + 1;
      storage = new Memory(total);
      storage.clear();
      array = new Memory(8L * (strings.size() + 1));
      array.clear();
      long off = 0;
      for (int i = 0; i < strings.size(); i++) {
        byte[] s = strings.get(i);
        storage.write(off, s, 0, s.length);
        array.setPointer(8L * i, storage.share(off));
        off += s.length + 1;
      }
      count = strings.size();
    }

    static CStringArray ofStrings(List<String> strings) {
      return new CStringArray(strings.stream().map(s -> {
        if (s.indexOf('\0') >= 0) throw new IllegalArgumentException("a string contains a NUL character");
        return s.getBytes(StandardCharsets.UTF_8);
      }).toList());
    }

    @Override
    public void close() {
      wipe(storage);
      wipe(array);
    }
  }

  static void wipe(byte[] b) {
    if (b != null) Arrays.fill(b, (byte) 0);
  }
}
