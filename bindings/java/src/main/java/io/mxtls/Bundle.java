package io.mxtls;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The certificates and private keys of the files a user has (what a CA hands out, what
 * {@code openssl} or {@code keytool} wrote), read to build a PKCS#12 container with {@link
 * Pkcs12Writer}. Each {@code add} reads one input:
 *
 * <ul>
 *   <li>certificates: PEM (any number of blocks, text around them ignored) or one DER
 *       certificate; PKCS#7 bundles (.p7b/.p7c, PEM or DER);
 *   <li>private keys, RSA or EC (P-256/P-384/P-521): PKCS#8, encrypted PKCS#8 (PBES2 or the
 *       PKCS#12 PBEs), PKCS#1 / SEC1 also with OpenSSL's legacy PEM encryption, or DER;
 *   <li>Java keystores (JKS, JCEKS), also through {@link #addKeystore}.
 * </ul>
 *
 * Other PEM blocks are skipped with a warning; the same certificate given twice is kept once. A
 * failed {@code add} throws ({@link CorruptException}, {@link WrongPasswordException}, {@link
 * UnsupportedAlgorithmException}, {@link UnsupportedKeyException}, {@link EmptyException}, ...,
 * the message naming the input and where in it) and leaves the bundle as it was. A PKCS#12 file
 * is refused ({@link UsageException}): load it with {@link Pkcs12#load}.
 *
 * <p>Passwords go to C as UTF-8 bytes with their length, through native memory zeroed after the
 * call, as {@link Pkcs12#load} does; the caller's array is not touched. Input bytes (which may
 * hold a key in the clear) are copied to native memory that is zeroed after the call. Decrypted
 * keys stay in C and are wiped by {@link #close()} (else by a {@link java.lang.ref.Cleaner}).
 *
 * <p>Thread safety: used by one thread at a time (as its C counterpart); {@link Key}s are part
 * of their bundle.
 */
public final class Bundle implements AutoCloseable {
  /**
   * The chain of a key: the certificate holding its public key, then its issuers (each checked
   * by name and signature), leaf to root; {@code complete} when it ends in a self-signed
   * certificate, false when the issuer of the last one was not given.
   */
  public record Chain(List<CertificateInfo> certificates, boolean complete) {
    public Chain {
      certificates = List.copyOf(certificates);
    }

    /** The certificate holding the key. */
    public CertificateInfo leaf() {
      return certificates.get(0);
    }
  }

  private final Handle handle;

  /** A new, empty bundle. */
  public Bundle() {
    NativeLoader.get();
    Memory err = Mem.errorBuffer();
    Pointer p = Ffi.mxtls_bundle_new(err);
    if (p == null) throw MxtlsException.fromError(err);
    handle = new Handle(this, p, Ffi::mxtls_bundle_free, "bundle");
  }

  /** Add the certificates and keys of a file (messages name it); no password. */
  public Bundle add(Path file) {
    return add(file, (byte[]) null);
  }

  /** Add a file; the password (for encrypted keys only) as characters, null or empty for none. */
  public Bundle add(Path file, char[] password) {
    byte[] pw = Pkcs12.utf8(password);
    try {
      return add(file, pw);
    } finally {
      Arrays.fill(pw, (byte) 0);
    }
  }

  /** Add a file; the password as UTF-8 bytes, null or empty for none. */
  public Bundle add(Path file, byte[] password) {
    Objects.requireNonNull(file, "file");
    return addInput(null, null, file, password);
  }

  /** Add content (PEM or DER); messages call it "memory". */
  public Bundle add(byte[] data) {
    return add(data, null, (byte[]) null);
  }

  /**
   * Add content (PEM or DER). {@code name}: how messages call it ("chain.pem"), or null for
   * "memory"; the password as characters, null or empty for none.
   */
  public Bundle add(byte[] data, String name, char[] password) {
    byte[] pw = Pkcs12.utf8(password);
    try {
      return add(data, name, pw);
    } finally {
      Arrays.fill(pw, (byte) 0);
    }
  }

  /** Add content; the password as UTF-8 bytes, null or empty for none. */
  public Bundle add(byte[] data, String name, byte[] password) {
    Objects.requireNonNull(data, "data");
    return addInput(data, name, null, password);
  }

  private Bundle addInput(byte[] data, String name, Path file, byte[] password) {
    int pwLen = password == null ? 0 : password.length;
    Memory err = Mem.errorBuffer();
    Memory pw = pwLen == 0 ? null : Mem.copy(password, 0, pwLen);
    Memory in = null;
    Memory nm = null;
    Pointer b = handle.acquire();
    try {
      int rc;
      if (data != null) {
        in = Mem.copy(data, 0, data.length);
        nm = Mem.utf8(name);
        rc = Ffi.mxtls_bundle_add_mem(b, in, data.length, nm, pw, pwLen, err);
      } else {
        rc = Ffi.mxtls_bundle_add_file(b, file.toString(), pw, pwLen, err);
      }
      if (rc != 0) throw MxtlsException.fromError(err);
    } finally {
      handle.release();
      Mem.wipe(pw);
      Mem.wipe(in); // a key in the clear, perhaps
      Mem.wipe(nm);
    }
    return this;
  }

  /**
   * Add the entries of a Java keystore file (JKS or JCEKS): private-key entries with their
   * chains, trusted certificates; other entries are skipped with a warning. {@code
   * storePassword}: for the store's integrity check (null or empty: checked with the empty
   * password, else skipped with a {@code no_mac} warning, as Java does). {@code keyPassword}: for
   * the private keys; null means the store password (keytool's default).
   */
  public Bundle addKeystore(Path file, char[] storePassword, char[] keyPassword) {
    byte[] sp = Pkcs12.utf8(storePassword);
    byte[] kp = keyPassword == null ? null : Pkcs12.utf8(keyPassword);
    try {
      return addKeystore(file, sp, kp);
    } finally {
      Arrays.fill(sp, (byte) 0);
      if (kp != null) Arrays.fill(kp, (byte) 0);
    }
  }

  /** As {@link #addKeystore(Path, char[], char[])}, the passwords as UTF-8 bytes. */
  public Bundle addKeystore(Path file, byte[] storePassword, byte[] keyPassword) {
    Objects.requireNonNull(file, "file");
    return addStore(null, null, file, storePassword, keyPassword);
  }

  /** A keystore's bytes; {@code name}: how messages call it, or null for "memory". */
  public Bundle addKeystore(byte[] data, String name, char[] storePassword, char[] keyPassword) {
    byte[] sp = Pkcs12.utf8(storePassword);
    byte[] kp = keyPassword == null ? null : Pkcs12.utf8(keyPassword);
    try {
      return addKeystore(data, name, sp, kp);
    } finally {
      Arrays.fill(sp, (byte) 0);
      if (kp != null) Arrays.fill(kp, (byte) 0);
    }
  }

  /** As {@link #addKeystore(byte[], String, char[], char[])}, the passwords as UTF-8 bytes. */
  public Bundle addKeystore(byte[] data, String name, byte[] storePassword, byte[] keyPassword) {
    Objects.requireNonNull(data, "data");
    return addStore(data, name, null, storePassword, keyPassword);
  }

  private Bundle addStore(byte[] data, String name, Path file, byte[] storePassword, byte[] keyPassword) {
    int spLen = storePassword == null ? 0 : storePassword.length;
    int kpLen = keyPassword == null ? 0 : keyPassword.length;
    Memory err = Mem.errorBuffer();
    Memory sp = spLen == 0 ? null : Mem.copy(storePassword, 0, spLen);
    // null: the store password; an empty array: the empty password (a pointer with length 0)
    Memory kp = keyPassword == null ? null : Mem.copy(keyPassword, 0, kpLen);
    Memory in = null;
    Memory nm = null;
    Pointer b = handle.acquire();
    try {
      int rc;
      if (data != null) {
        in = Mem.copy(data, 0, data.length);
        nm = Mem.utf8(name);
        rc = Ffi.mxtls_bundle_add_keystore_mem(b, in, data.length, nm, sp, spLen, kp, kpLen, err);
      } else {
        rc = Ffi.mxtls_bundle_add_keystore_file(b, file.toString(), sp, spLen, kp, kpLen, err);
      }
      if (rc != 0) throw MxtlsException.fromError(err);
    } finally {
      handle.release();
      Mem.wipe(sp);
      Mem.wipe(kp);
      Mem.wipe(in);
      Mem.wipe(nm);
    }
    return this;
  }

  /** Distinct certificates, in the order read (copies). */
  public List<CertificateInfo> certificates() {
    Pointer b = handle.acquire();
    try {
      List<CertificateInfo> out = new ArrayList<>();
      for (long i = 0, n = Ffi.mxtls_bundle_cert_count(b); i < n; i++) out.add(new CertificateInfo(Ffi.mxtls_bundle_cert(b, i)));
      return List.copyOf(out);
    } finally {
      handle.release();
    }
  }

  /** Private keys, in the order read. */
  public List<Key> keys() {
    Pointer b = handle.acquire();
    try {
      List<Key> out = new ArrayList<>();
      for (long i = 0, n = Ffi.mxtls_bundle_key_count(b); i < n; i++) out.add(new Key(this, (int) i, Ffi.mxtls_bundle_key(b, i)));
      return List.copyOf(out);
    } finally {
      handle.release();
    }
  }

  /** Number of private keys read so far. */
  public int keyCount() {
    Pointer b = handle.acquire();
    try {
      return Math.toIntExact(Ffi.mxtls_bundle_key_count(b));
    } finally {
      handle.release();
    }
  }

  /** Key {@code index} ({@link UsageException} if out of range). */
  public Key key(int index) {
    Pointer b = handle.acquire();
    try {
      Pointer k = index < 0 ? null : Ffi.mxtls_bundle_key(b, index);
      if (k == null) {
        throw MxtlsException.of("usage", "key " + index + " is out of range (the bundle has "
            + Ffi.mxtls_bundle_key_count(b) + ")");
      }
      return new Key(this, index, k);
    } finally {
      handle.release();
    }
  }

  /**
   * Warnings: {@code skipped_entry} for blocks and entries that are neither certificates nor
   * usable keys, {@code no_mac} for a keystore read without its integrity check.
   */
  public List<Warning> warnings() {
    Pointer b = handle.acquire();
    try {
      List<Warning> out = new ArrayList<>();
      for (long i = 0, n = Ffi.mxtls_bundle_warning_count(b); i < n; i++) {
        out.add(new Warning(Ffi.mxtls_warning_name(Ffi.mxtls_bundle_warning_kind(b, i)), Mem.utf8(Ffi.mxtls_bundle_warning(b, i))));
      }
      return List.copyOf(out);
    } finally {
      handle.release();
    }
  }

  /**
   * The chain of key {@code keyIndex}, found by the key (never by order): {@link
   * KeyMismatchException} when no certificate holds the key, {@link NoCertificateException} when
   * the bundle has none, {@link UsageException} for a bad index.
   */
  public Chain chain(int keyIndex) {
    if (keyIndex < 0) throw MxtlsException.of("usage", "key index " + keyIndex + " is negative");
    int max = NativeLoader.get().intConstant("MXTLS_MAX_CHAIN");
    Memory certs = new Memory(8L * max);
    certs.clear();
    long[] n = new long[1];
    Memory err = Mem.errorBuffer();
    Pointer b = handle.acquire();
    try {
      int rc = Ffi.mxtls_bundle_chain(b, keyIndex, certs, max, n, err);
      if (rc < 0) throw MxtlsException.fromError(err);
      List<CertificateInfo> out = new ArrayList<>();
      for (int i = 0; i < n[0] && i < max; i++) out.add(new CertificateInfo(certs.getPointer(8L * i)));
      return new Chain(out, rc == 1);
    } finally {
      handle.release();
      certs.close();
    }
  }

  public boolean isClosed() {
    return handle.isClosed();
  }

  Handle handle() {
    return handle;
  }

  /** Free the bundle now and wipe its keys. Idempotent. */
  @Override
  public void close() {
    handle.close();
  }

  @Override
  public String toString() {
    return isClosed() ? "Bundle[closed]" : "Bundle[" + certificates().size() + " certificates, " + keyCount() + " keys]";
  }
}
