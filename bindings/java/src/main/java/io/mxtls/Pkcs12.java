package io.mxtls;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A loaded PKCS#12 container (.p12/.pfx): its identities, extra certificates, protection and
 * warnings. The private keys stay in libmxtls; {@link #close()} frees and wipes them (else a
 * {@link java.lang.ref.Cleaner} does once the object is unreachable).
 *
 * <p>Passwords go to C as UTF-8 bytes with their length ({@code mxtls_pkcs12_load_*_n}): a NUL
 * inside is refused rather than cutting the password short. The binding's own copies (the
 * encoded bytes, the native buffer) are zeroed after the call; the caller's array is not
 * touched: wipe it yourself with {@code Arrays.fill} when done.
 */
public final class Pkcs12 implements AutoCloseable {
  /** Load options. */
  public enum Option {
    /** A container without an integrity MAC is an error ({@link NoMacException}). */
    REQUIRE_MAC
  }

  private final Handle handle;
  private final List<Identity> identities;
  private final List<CertificateInfo> extraCertificates;
  private final String macAlgorithm;
  private final List<String> encryptions;
  private final List<Warning> warnings;

  private Pkcs12(Pointer ptr) {
    this.handle = new Handle(this, ptr, Ffi::mxtls_pkcs12_free, "PKCS#12 container");
    List<Identity> ids = new ArrayList<>();
    for (long i = 0, n = Ffi.mxtls_pkcs12_identity_count(ptr); i < n; i++) {
      ids.add(new Identity((int) i, Ffi.mxtls_pkcs12_identity(ptr, i)));
    }
    identities = List.copyOf(ids);
    List<CertificateInfo> extra = new ArrayList<>();
    for (long i = 0, n = Ffi.mxtls_pkcs12_extra_cert_count(ptr); i < n; i++) {
      extra.add(new CertificateInfo(Ffi.mxtls_pkcs12_extra_cert(ptr, i)));
    }
    extraCertificates = List.copyOf(extra);
    macAlgorithm = Ffi.mxtls_pkcs12_mac_algorithm(ptr);
    List<String> enc = new ArrayList<>();
    for (long i = 0, n = Ffi.mxtls_pkcs12_encryption_count(ptr); i < n; i++) enc.add(Ffi.mxtls_pkcs12_encryption(ptr, i));
    encryptions = List.copyOf(enc);
    List<Warning> w = new ArrayList<>();
    for (long i = 0, n = Ffi.mxtls_pkcs12_warning_count(ptr); i < n; i++) {
      w.add(new Warning(Ffi.mxtls_warning_name(Ffi.mxtls_pkcs12_warning_kind(ptr, i)), Ffi.mxtls_pkcs12_warning(ptr, i)));
    }
    warnings = List.copyOf(w);
  }

  /** Load from a file; the password as characters (null or empty: no password). */
  public static Pkcs12 load(Path file, char[] password, Option... options) {
    byte[] pw = utf8(password);
    try {
      return load(file, pw, options);
    } finally {
      Arrays.fill(pw, (byte) 0);
    }
  }

  /** Load from a file; the password as UTF-8 bytes (null or empty: no password). */
  public static Pkcs12 load(Path file, byte[] password, Option... options) {
    Objects.requireNonNull(file, "file");
    return load(null, file, password, options);
  }

  /** Load from the container's bytes (DER or BER). */
  public static Pkcs12 load(byte[] data, char[] password, Option... options) {
    byte[] pw = utf8(password);
    try {
      return load(data, pw, options);
    } finally {
      Arrays.fill(pw, (byte) 0);
    }
  }

  /** Load from the container's bytes; the password as UTF-8 bytes. */
  public static Pkcs12 load(byte[] data, byte[] password, Option... options) {
    Objects.requireNonNull(data, "data");
    return load(data, null, password, options);
  }

  private static Pkcs12 load(byte[] data, Path file, byte[] password, Option[] options) {
    NativeLoader n = NativeLoader.get();
    int flags = 0;
    for (Option o : options) {
      if (o == Option.REQUIRE_MAC) flags |= n.intConstant("MXTLS_LOAD_REQUIRE_MAC");
    }
    int pwLen = password == null ? 0 : password.length;
    Memory pw = pwLen == 0 ? null : Mem.copy(password, 0, pwLen);
    Memory in = data == null ? null : Mem.copy(data, 0, data.length);
    Memory err = Mem.errorBuffer();
    Pointer ptr;
    try {
      ptr = data != null
          ? Ffi.mxtls_pkcs12_load_mem_n(in, data.length, pw, pwLen, flags, err)
          : Ffi.mxtls_pkcs12_load_file_n(file.toString(), pw, pwLen, flags, err);
    } finally {
      Mem.wipe(pw);
      Mem.wipe(in); // an unencrypted container holds a key in the clear
    }
    if (ptr == null) throw MxtlsException.fromError(err);
    return new Pkcs12(ptr);
  }

  /**
   * Read a password file by the runtime's rule (the whole file less one trailing line end, at
   * most MXTLS_MAX_PASSWORD_BYTES, no NUL), so that one file gives one password everywhere.
   * Returns UTF-8 bytes the caller should wipe; the C copy is wiped and freed here.
   */
  public static byte[] readPasswordFile(Path file) {
    NativeLoader n = NativeLoader.get();
    Memory err = Mem.errorBuffer();
    Pointer p = Ffi.mxtls_password_read_file(file.toString(), err);
    if (p == null) throw MxtlsException.fromError(err);
    try {
      long max = n.constant("MXTLS_MAX_PASSWORD_BYTES");
      long len = p.indexOf(0, (byte) 0);
      if (len < 0 || len > max) throw MxtlsException.of("internal", "password file string is not terminated");
      return p.getByteArray(0, (int) len);
    } finally {
      Ffi.mxtls_password_free(p);
    }
  }

  /** UTF-8 of a char[] without a String; a wiped intermediate buffer. Unpaired surrogates: usage. */
  static byte[] utf8(char[] chars) {
    if (chars == null || chars.length == 0) return new byte[0];
    CharsetEncoder enc = StandardCharsets.UTF_8.newEncoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer bb = null;
    try {
      bb = enc.encode(CharBuffer.wrap(chars));
      byte[] out = new byte[bb.remaining()];
      bb.get(out);
      return out;
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("the password is not valid UTF-16 (an unpaired surrogate)");
    } finally {
      if (bb != null && bb.hasArray()) Arrays.fill(bb.array(), (byte) 0);
    }
  }

  /** Identities (key + leaf + chain), in the order their keys appear in the file. */
  public List<Identity> identities() {
    return identities;
  }

  /** Certificates on no identity's issuer path (listed, never sent). */
  public List<CertificateInfo> extraCertificates() {
    return extraCertificates;
  }

  /** e.g. "HMAC-SHA256 (PKCS#12 KDF, 2048 iterations)" or "none". */
  public String macAlgorithm() {
    return macAlgorithm;
  }

  /** One entry per distinct encryption scheme, or "none". */
  public List<String> encryptions() {
    return encryptions;
  }

  public List<Warning> warnings() {
    return warnings;
  }

  public boolean isClosed() {
    return handle.isClosed();
  }

  Handle handle() {
    return handle;
  }

  /** Free the container now and wipe its key material. Idempotent. */
  @Override
  public void close() {
    handle.close();
  }

  @Override
  public String toString() {
    return "Pkcs12" + identities;
  }
}
