package io.mxtls;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * An immutable, reference-counted libmxtls client context: identities with their pins, trust,
 * protocol range. Thread-safe. {@link #sslContext()} hands it to JSSE.
 *
 * <p>A context from {@link Config#build()} or {@link Mxtls#fromEnv} is the caller's: close it
 * when done (SSLContexts made from it hold their own reference and keep working). A context
 * from {@link Runtime#context()} belongs to the runtime: {@link #close()} does nothing on it,
 * and it is released once the runtime has moved on and nothing uses it any more.
 */
public final class Context implements AutoCloseable {
  private static final AtomicLong SERIALS = new AtomicLong();

  private final Handle handle;
  private final long serial = SERIALS.incrementAndGet();
  private final long generation;
  private final boolean closable;
  private final List<ContextIdentity> identities;
  private final List<String> warnings;
  private final List<String> configWarnings;
  private final int trustCount;
  private final int systemRootCount;
  private final TlsVersion minVersion;
  private final TlsVersion maxVersion;
  private final ConcurrentHashMap<Integer, KeyMaterial> materials = new ConcurrentHashMap<>();
  private volatile List<X509Certificate> trustAnchors;

  /** Takes ownership of one reference to ptr. */
  Context(Pointer ptr, long generation, List<String> configWarnings, boolean closable) {
    this.handle = new Handle(this, ptr, Ffi::mxtls_ctx_free, "TLS context");
    this.generation = generation;
    this.closable = closable;
    this.configWarnings = List.copyOf(configWarnings);
    List<ContextIdentity> ids = new ArrayList<>();
    for (long i = 0, n = Ffi.mxtls_ctx_identity_count(ptr); i < n; i++) {
      List<String> pins = new ArrayList<>();
      for (long k = 0, m = Ffi.mxtls_ctx_identity_pin_count(ptr, i); k < m; k++) pins.add(Ffi.mxtls_ctx_identity_pin(ptr, i, k));
      ids.add(new ContextIdentity((int) i, new CertificateInfo(Ffi.mxtls_ctx_identity_leaf(ptr, i)), List.copyOf(pins)));
    }
    identities = List.copyOf(ids);
    List<String> w = new ArrayList<>();
    for (long i = 0, n = Ffi.mxtls_ctx_warning_count(ptr); i < n; i++) w.add(Ffi.mxtls_ctx_warning(ptr, i));
    warnings = List.copyOf(w);
    trustCount = Math.toIntExact(Ffi.mxtls_ctx_trust_count(ptr));
    systemRootCount = Math.toIntExact(Ffi.mxtls_ctx_system_root_count(ptr));
    int[] min = new int[1];
    int[] max = new int[1];
    Ffi.mxtls_ctx_tls_versions(ptr, min, max);
    minVersion = TlsVersion.ofWire(min[0]);
    maxVersion = TlsVersion.ofWire(max[0]);
  }

  /** A new Java object with its own C reference to the same context (closable). */
  Context retain() {
    Pointer p = handle.acquire();
    try {
      return new Context(Ffi.mxtls_ctx_ref(p), generation, configWarnings, true);
    } finally {
      handle.release();
    }
  }

  /** Identities in the order added. */
  public List<ContextIdentity> identities() {
    return identities;
  }

  /** Warnings about the context (several default identities, a pin claimed twice). */
  public List<String> warnings() {
    return warnings;
  }

  /** Warnings found reading the environment, for a context made by {@link Mxtls#fromEnv}. */
  public List<String> configWarnings() {
    return configWarnings;
  }

  /** Trusted authorities: system roots + added ones. */
  public int trustCount() {
    return trustCount;
  }

  /** How many of them are the platform's roots (0: only the added authorities are trusted). */
  public int systemRootCount() {
    return systemRootCount;
  }

  public TlsVersion minVersion() {
    return minVersion;
  }

  public TlsVersion maxVersion() {
    return maxVersion;
  }

  /** The runtime generation this context was installed as (0 if not from a runtime). */
  public long generation() {
    return generation;
  }

  /** Unique per Context object in this JVM. */
  long serial() {
    return serial;
  }

  /** The JSSE protocol names of the range, newest first ("TLSv1.3", "TLSv1.2"). */
  String[] protocols() {
    List<String> out = new ArrayList<>();
    for (int i = TlsVersion.values().length - 1; i >= 0; i--) {
      TlsVersion v = TlsVersion.values()[i];
      if (v.compareTo(minVersion) >= 0 && v.compareTo(maxVersion) <= 0) out.add(v.jsseName());
    }
    return out.toArray(new String[0]);
  }

  /** The identity a request to host presents (default, or none: empty). */
  public OptionalInt select(String host) {
    return select(null, host);
  }

  /**
   * The identity a request presents: by identifier first (exact pin), then by host (exact pin,
   * then wildcard), else the default; empty for "no client certificate". Either may be null.
   */
  public OptionalInt select(String identifier, String host) {
    Pointer p = handle.acquire();
    try {
      long i = Ffi.mxtls_ctx_select(p, identifier, bareHost(host));
      return i == NativeLoader.get().noIdentity ? OptionalInt.empty() : OptionalInt.of(Math.toIntExact(i));
    } finally {
      handle.release();
    }
  }

  /**
   * Throws {@link NotPinnedException} unless selecting for host (and identifier) gives {@code
   * identity} (empty: no identity): for TLS material chosen for one host that could reach another.
   */
  public void checkHost(OptionalInt identity, String identifier, String host) {
    if (host == null) throw MxtlsException.of("usage", "checkHost: host is null");
    long index = identity.isPresent() ? identity.getAsInt() : NativeLoader.get().noIdentity;
    Pointer p = handle.acquire();
    try {
      Memory err = Mem.scratchError();
      if (Ffi.mxtls_ctx_check_host(p, index, identifier, bareHost(host), err) != 0) {
        throw MxtlsException.fromError(err);
      }
    } finally {
      handle.release();
    }
  }

  /** The trusted authorities (system roots first), copied on call. */
  public List<CertificateInfo> trustCertificates() {
    Pointer p = handle.acquire();
    try {
      List<CertificateInfo> out = new ArrayList<>(trustCount);
      for (int i = 0; i < trustCount; i++) out.add(new CertificateInfo(Ffi.mxtls_ctx_trust_cert(p, i)));
      return out;
    } finally {
      handle.release();
    }
  }

  /**
   * Exactly the context's trust for JSSE: with system roots, every authority libmxtls loaded (the
   * system bundle it found, as mbedTLS parsed it, plus the added ones); without, only the added
   * ones. Read as DER from the context's views ({@code mxtls_ctx_trust_cert}): the same set
   * {@code mxtls_ctx_export_trust_pem} / {@code _added_trust_pem} give, without parsing PEM
   * text again (measured: ~3x faster for 144 roots). Built once per context.
   */
  List<X509Certificate> trustAnchors() {
    List<X509Certificate> t = trustAnchors;
    if (t == null) {
      synchronized (this) {
        t = trustAnchors;
        if (t == null) {
          Pointer p = handle.acquire();
          try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<X509Certificate> out = new ArrayList<>(trustCount);
            long[] len = new long[1];
            for (int i = 0; i < trustCount; i++) {
              Pointer der = Ffi.mxtls_cert_der(Ffi.mxtls_ctx_trust_cert(p, i), len);
              out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(Mem.read(der, len[0]))));
            }
            t = trustAnchors = List.copyOf(out);
          } catch (CertificateException e) {
            throw MxtlsException.of("internal", "the JDK cannot parse an authority libmxtls accepted: " + e.getMessage());
          } finally {
            handle.release();
          }
        }
      }
    }
    return t;
  }

  /**
   * The chain and JCA private key of identity {@code index}, made once per (context, identity)
   * from the PKCS#8 export: the PEM and DER byte arrays are wiped right after KeyFactory has
   * parsed them, and the C copies are wiped by mxtls_free_secret.
   */
  KeyMaterial material(int index) {
    if (index < 0 || index >= identities.size()) {
      throw MxtlsException.of("usage", "identity " + index + " is out of range (the context has " + identities.size() + ")");
    }
    KeyMaterial m = materials.get(index);
    if (m != null) return m;
    return materials.computeIfAbsent(index, this::exportMaterial);
  }

  private KeyMaterial exportMaterial(int index) {
    Memory cp = new Memory(8);
    Memory cl = new Memory(8);
    Memory kp = new Memory(8);
    Memory kl = new Memory(8);
    Memory err = Mem.errorBuffer();
    byte[] chainPem;
    byte[] keyPem;
    Pointer p = handle.acquire();
    try {
      cp.clear();
      kp.clear();
      if (Ffi.mxtls_ctx_export_identity_pem(p, index, cp, cl, kp, kl, err) != 0) throw MxtlsException.fromError(err);
      chainPem = Mem.takeSecret(cp, cl);
      keyPem = Mem.takeSecret(kp, kl);
    } finally {
      handle.release();
    }
    byte[] der = null;
    try {
      List<X509Certificate> chain = Pem.certificates(chainPem);
      KeyType type = KeyType.UNKNOWN;
      String alg = chain.get(0).getPublicKey().getAlgorithm();
      if ("EC".equals(alg)) type = KeyType.EC;
      else if ("RSA".equals(alg)) type = KeyType.RSA;
      if (type == KeyType.UNKNOWN) throw MxtlsException.of("unsupported_key", "identity " + index + ": a " + alg + " key");
      der = Pem.pkcs8Der(keyPem);
      PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
      PrivateKey key = KeyFactory.getInstance(type.jcaAlgorithm()).generatePrivate(spec);
      return new KeyMaterial(index, type, chain.toArray(new X509Certificate[0]), key);
    } catch (GeneralSecurityException e) {
      throw MxtlsException.of("unsupported_key", "identity " + index + ": the JDK refuses the key: " + e.getMessage());
    } finally {
      Arrays.fill(keyPem, (byte) 0);
      Mem.wipe(der);
    }
  }

  /** Host for selection: URL-style IPv6 brackets removed (the C API accepts both). */
  static String bareHost(String host) {
    if (host != null && host.length() > 1 && host.startsWith("[") && host.endsWith("]")) {
      return host.substring(1, host.length() - 1);
    }
    return host;
  }

  /**
   * An {@link SSLContext} presenting, on each connection, the identity this context selects for
   * the peer host, and trusting exactly this context's authorities. It holds its own reference
   * to the context: closing this object does not affect it.
   */
  public SSLContext sslContext() {
    return MxtlsSslContext.create(new ContextSource.Fixed(retain()));
  }

  Handle handle() {
    return handle;
  }

  public boolean isClosed() {
    return handle.isClosed();
  }

  /** Drop this object's reference (a no-op for a context owned by a {@link Runtime}). */
  @Override
  public void close() {
    if (closable) handle.close();
  }

  @Override
  public String toString() {
    return "Context[generation " + generation + ", " + identities.size() + " identities, "
        + trustCount + " authorities (" + systemRootCount + " system), " + minVersion.jsseName()
        + "-" + maxVersion.jsseName() + "]";
  }
}
