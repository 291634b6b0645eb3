package io.mxtls;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Writes a new PKCS#12 container (RFC 7292, DER) that {@link Pkcs12#load}, the JDK's {@code
 * KeyStore.getInstance("PKCS12")}, OpenSSL and the usual tools read: identities (a private key,
 * its leaf and chain) from a loaded container ({@link #addIdentity}, to re-encrypt a legacy
 * file) or from a {@link Bundle} ({@link #addKey}), plus extra certificates; {@link
 * #finish(char[])} encrypts them under a password and returns the bytes. For the usual case
 * (certificate files and a key file into a .p12, checked by reading it back) see {@link
 * #pack(List, Path, char[], char[], Profile)} and {@link Pack}.
 *
 * <pre>{@code
 * try (Pkcs12 old = Pkcs12.load(Path.of("legacy.pfx"), oldPassword);
 *      Pkcs12Writer w = new Pkcs12Writer(Pkcs12Writer.Profile.MODERN)) {
 *   byte[] p12 = w.addIdentity(old, 0).finish(newPassword);
 * }
 * }</pre>
 *
 * <p>Keys are copied into the writer on add and wiped by {@link #close()} (else by a {@link
 * java.lang.ref.Cleaner}); the sources may be closed after adding. The container's bytes are
 * copied into the returned array and the C buffer is wiped and freed at once ({@code
 * mxtls_free_secret}); the array holds the keys encrypted. Passwords go to C as UTF-8 bytes with
 * their length through native memory zeroed after the call; the caller's array is not touched.
 *
 * <p>Thread safety: used by one thread at a time (as its C counterpart); different writers may
 * be used from different threads at once.
 */
public final class Pkcs12Writer implements AutoCloseable {
  /** What the container is encrypted and authenticated with. */
  public enum Profile {
    /**
     * The default: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for keys and certificates, HMAC-SHA256
     * MAC. What OpenSSL 3 writes; read by OpenSSL 1.1.1+, Java 8u301+ and 11+, Windows 10 1709+,
     * GnuTLS, NSS, Node.
     */
    MODERN,
    /**
     * For old readers (Java 8 before 8u301, Windows before 10 1709, OpenSSL 1.0):
     * pbeWithSHAAnd3-KeyTripleDES-CBC, HMAC-SHA1 MAC.
     */
    COMPAT,
    /**
     * MODERN encryption with an RFC 9579 PBMAC1 MAC (OpenSSL 3.4+); readers without RFC 9579
     * (older OpenSSL, Java as of 17/21, GnuTLS, NSS) cannot verify the MAC, some refuse the file.
     */
    PBMAC1;

    /** The library's value, read by name (MXTLS_PKCS12_PROFILE_...). */
    int value() {
      return NativeLoader.get().intConstant("MXTLS_PKCS12_PROFILE_" + name());
    }

    /** "modern", "compat", "pbmac1" (as {@code mxtls pack --profile}). */
    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Handle handle;
  private final Profile profile;

  /** A writer for the MODERN profile. */
  public Pkcs12Writer() {
    this(Profile.MODERN);
  }

  public Pkcs12Writer(Profile profile) {
    Objects.requireNonNull(profile, "profile");
    NativeLoader.get();
    Memory err = Mem.errorBuffer();
    Pointer p = Ffi.mxtls_pkcs12_writer_new(profile.value(), err);
    if (p == null) throw MxtlsException.fromError(err);
    this.profile = profile;
    this.handle = new Handle(this, p, Ffi::mxtls_pkcs12_writer_free, "PKCS#12 writer");
  }

  public Profile profile() {
    return profile;
  }

  /**
   * Iterations of every key derivation of the container: from MXTLS_PKCS12_DEFAULT_ITERATIONS
   * (2048, the default; below it: {@link UsageException}) to MXTLS_MAX_KDF_ITERATIONS (above it:
   * {@link LimitExceededException}), so that every container written loads again.
   */
  public Pkcs12Writer iterations(int iterations) {
    if (iterations < 0) throw new IllegalArgumentException("iterations must not be negative: " + iterations);
    Memory err = Mem.errorBuffer();
    Pointer w = handle.acquire();
    try {
      if (Ffi.mxtls_pkcs12_writer_set_iterations(w, iterations, err) != 0) throw MxtlsException.fromError(err);
    } finally {
      handle.release();
    }
    return this;
  }

  /** Add identity {@code index} of a loaded container (key, leaf, chain), keeping its friendlyName. */
  public Pkcs12Writer addIdentity(Pkcs12 p12, int index) {
    return addIdentity(p12, index, null);
  }

  /**
   * Add identity {@code index} of a loaded container; {@code friendlyName} replaces its own
   * (null: keep it). {@link UsageException} for a bad index or an identity already added.
   */
  public Pkcs12Writer addIdentity(Pkcs12 p12, int index, String friendlyName) {
    Objects.requireNonNull(p12, "p12");
    if (index < 0) throw MxtlsException.of("usage", "identity index " + index + " is negative");
    Memory err = Mem.errorBuffer();
    Memory fn = Mem.utf8(friendlyName);
    Pointer w = handle.acquire();
    try {
      Pointer c = p12.handle().acquire();
      try {
        if (Ffi.mxtls_pkcs12_writer_add_identity(w, c, index, fn, err) != 0) throw MxtlsException.fromError(err);
      } finally {
        p12.handle().release();
      }
    } finally {
      handle.release();
      Mem.wipe(fn);
    }
    return this;
  }

  /** Add a bundle's key with its chain ({@link Bundle#chain}), without a friendlyName. */
  public Pkcs12Writer addKey(Key key) {
    return addKey(key, null);
  }

  /**
   * Add a bundle's key with the chain {@link Bundle#chain} finds for it ({@link
   * KeyMismatchException} when no certificate of the bundle holds the key). {@code
   * friendlyName}: the identity's friendlyName, or null for none.
   */
  public Pkcs12Writer addKey(Key key, String friendlyName) {
    Objects.requireNonNull(key, "key");
    Memory err = Mem.errorBuffer();
    Memory fn = Mem.utf8(friendlyName);
    Handle bh = key.bundle().handle();
    Pointer w = handle.acquire();
    try {
      Pointer b = bh.acquire();
      try {
        if (Ffi.mxtls_bundle_add_to_writer(b, key.index(), w, fn, err) != 0) throw MxtlsException.fromError(err);
      } finally {
        bh.release();
      }
    } finally {
      handle.release();
      Mem.wipe(fn);
    }
    return this;
  }

  /** Add a certificate of no identity (an extra CA), as DER; one already in the writer is not written twice. */
  public Pkcs12Writer addCertificate(byte[] der) {
    Objects.requireNonNull(der, "der");
    Memory err = Mem.errorBuffer();
    Pointer w = handle.acquire();
    try {
      if (Ffi.mxtls_pkcs12_writer_add_cert_der(w, der, der.length, err) != 0) throw MxtlsException.fromError(err);
    } finally {
      handle.release();
    }
    return this;
  }

  /** Add a certificate of no identity. */
  public Pkcs12Writer addCertificate(CertificateInfo cert) {
    Objects.requireNonNull(cert, "cert");
    return addCertificate(cert.der());
  }

  /**
   * Encrypt and encode the container under {@code password} (an empty array: the empty
   * password, which the format allows and some readers treat differently). Fresh salts and IVs
   * on every call: the writer may be finished again. {@link NoKeyException} without an identity.
   */
  public byte[] finish(char[] password) {
    Objects.requireNonNull(password, "password");
    byte[] pw = Pkcs12.utf8(password);
    try {
      return finish(pw);
    } finally {
      Arrays.fill(pw, (byte) 0);
    }
  }

  /** As {@link #finish(char[])}, the password as UTF-8 bytes (a NUL inside: {@link UsageException}). */
  public byte[] finish(byte[] password) {
    Objects.requireNonNull(password, "password");
    Memory pw = password.length == 0 ? null : Mem.copy(password, 0, password.length);
    Memory der = new Memory(8);
    Memory len = new Memory(8);
    der.clear();
    len.clear();
    Memory err = Mem.errorBuffer();
    Pointer w = handle.acquire();
    try {
      if (Ffi.mxtls_pkcs12_writer_finish(w, pw, password.length, der, len, err) != 0) throw MxtlsException.fromError(err);
      return Mem.takeSecret(der, len);
    } finally {
      handle.release();
      Mem.wipe(pw);
      Mem.wipe(der);
      Mem.wipe(len);
    }
  }

  /**
   * The command line's main use ({@code mxtls pack --cert ... --key ... -o out.p12}) in one call:
   * certificate files (the leaf and any chain: PEM, DER, .p7b) and a key file (any PEM/DER form,
   * encrypted or not; {@code keyPassword} null or empty for none) into a container under {@code
   * password}, read back and checked before it is returned. See {@link Pack} for content as
   * bytes, iterations and a friendlyName.
   */
  public static byte[] pack(List<Path> certs, Path key, char[] keyPassword, char[] password, Profile profile) {
    Objects.requireNonNull(certs, "certs");
    Pack p = new Pack().key(key, keyPassword).profile(profile);
    for (Path c : certs) p.cert(c);
    return p.pack(password);
  }

  public boolean isClosed() {
    return handle.isClosed();
  }

  /** Free the writer now and wipe the keys it holds. Idempotent. */
  @Override
  public void close() {
    handle.close();
  }

  @Override
  public String toString() {
    return "Pkcs12Writer[" + profile + "]";
  }
}
