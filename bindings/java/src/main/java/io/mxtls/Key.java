package io.mxtls;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A private key read into a {@link Bundle}: what it is and where it came from. The key itself
 * stays in C, owned by the bundle (this object holds only its index and a copy of these
 * descriptions): {@link #matches} and {@link Pkcs12Writer#addKey} throw {@link UsageException}
 * once the bundle is closed.
 */
public final class Key {
  private final Bundle bundle;
  private final int index;
  private final KeyType kind;
  private final int bits;
  private final String curve;
  private final String form;
  private final String source;
  private final String alias;

  /** @param k a borrowed {@code const mxtls_key *} whose bundle is held during the call */
  Key(Bundle bundle, int index, Pointer k) {
    this.bundle = bundle;
    this.index = index;
    this.kind = KeyType.of(Ffi.mxtls_key_kind(k));
    this.bits = Math.toIntExact(Ffi.mxtls_key_bits(k));
    this.curve = Ffi.mxtls_key_curve(k);
    this.form = Mem.utf8(Ffi.mxtls_key_form(k));
    this.source = Mem.utf8(Ffi.mxtls_key_source(k));
    this.alias = Mem.utf8(Ffi.mxtls_key_alias(k));
  }

  /** The bundle it belongs to. */
  public Bundle bundle() {
    return bundle;
  }

  /** Position in the bundle (the index {@link Bundle#chain} takes). */
  public int index() {
    return index;
  }

  /** RSA or EC. */
  public KeyType kind() {
    return kind;
  }

  /** RSA modulus or EC curve size in bits. */
  public int bits() {
    return bits;
  }

  /** "P-256", "P-384", "P-521" for EC keys. */
  public Optional<String> curve() {
    return Optional.ofNullable(curve);
  }

  /** How it was stored: "PKCS#1, legacy PEM encryption AES-256-CBC", "encrypted PKCS#8 (PBES2 ...)", ... */
  public String form() {
    return form;
  }

  /** Where it was read: "key.pem, line 1", "store.jks, alias \"client\"". */
  public String source() {
    return source;
  }

  /** The alias of the keystore entry it came from. */
  public Optional<String> alias() {
    return Optional.ofNullable(alias);
  }

  /**
   * Whether the certificate holds this key's public key. A certificate of the same bundle is
   * checked in place; any other is read from its DER into a scratch bundle for the check.
   */
  public boolean matches(CertificateInfo cert) {
    Objects.requireNonNull(cert, "cert");
    Handle h = bundle.handle();
    Pointer b = h.acquire();
    try {
      Pointer k = Ffi.mxtls_bundle_key(b, index);
      byte[] sha = cert.sha256();
      for (long i = 0, n = Ffi.mxtls_bundle_cert_count(b); i < n; i++) {
        Pointer c = Ffi.mxtls_bundle_cert(b, i);
        if (Arrays.equals(sha, Mem.read(Ffi.mxtls_cert_sha256(c), 32))) return Ffi.mxtls_key_matches_cert(k, c) == 1;
      }
      return matchesOther(k, cert.der());
    } finally {
      h.release();
    }
  }

  private static boolean matchesOther(Pointer k, byte[] der) {
    Memory err = Mem.errorBuffer();
    Pointer scratch = Ffi.mxtls_bundle_new(err);
    if (scratch == null) throw MxtlsException.fromError(err);
    Memory in = Mem.copy(der, 0, der.length);
    try {
      if (Ffi.mxtls_bundle_add_mem(scratch, in, der.length, null, null, 0, err) != 0) throw MxtlsException.fromError(err);
      Pointer c = Ffi.mxtls_bundle_cert(scratch, 0);
      return c != null && Ffi.mxtls_key_matches_cert(k, c) == 1;
    } finally {
      Mem.wipe(in);
      Ffi.mxtls_bundle_free(scratch);
    }
  }

  @Override
  public String toString() {
    return "Key[" + kind + " " + bits + (curve != null ? " " + curve : "") + ", " + form + ", " + source
        + (alias != null ? ", alias " + alias : "") + "]";
  }
}
