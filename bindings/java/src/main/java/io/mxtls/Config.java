package io.mxtls;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Collects identities (with pins), "no identity" pins, authorities and options; {@link #build()}
 * makes an immutable {@link Context}. Used by one thread at a time (as its C counterpart).
 * Close it when done: it holds copies of the keys, which {@link #close()} wipes.
 *
 * <pre>{@code
 * try (Pkcs12 p12 = Pkcs12.load(Path.of("client.p12"), password);
 *      Config cfg = new Config().addIdentity(p12, 0, List.of("api.partner.example"))
 *                               .addTrust(Trust.load(Path.of("partner-ca.pem")))) {
 *   Context ctx = cfg.build();
 * }
 * }</pre>
 */
public final class Config implements AutoCloseable {
  private final Handle handle;

  public Config() {
    NativeLoader.get();
    Pointer p = Ffi.mxtls_config_new();
    if (p == null) throw MxtlsException.of("nomem", "mxtls_config_new: out of memory");
    handle = new Handle(this, p, Ffi::mxtls_config_free, "configuration");
  }

  private Config(Pointer adopted) {
    handle = new Handle(this, adopted, Ffi::mxtls_config_free, "configuration");
  }

  /** Wrap an owned mxtls_config pointer (from the environment). */
  static Config adopt(Pointer p) {
    return new Config(p);
  }

  /** Add the first identity of a container as a default (unpinned) identity. */
  public Config addIdentity(Pkcs12 p12) {
    return addIdentity(p12, 0);
  }

  /**
   * Add identity {@code index} of a container (copied: the container may be closed afterwards),
   * as a default identity: the first default added wins.
   */
  public Config addIdentity(Pkcs12 p12, int index) {
    Objects.requireNonNull(p12, "p12");
    Memory err = Mem.errorBuffer();
    Pointer cfg = handle.acquire();
    try {
      Pointer c = p12.handle().acquire();
      try {
        if (Ffi.mxtls_config_add_identity(cfg, c, index, err) != 0) throw MxtlsException.fromError(err);
      } finally {
        p12.handle().release();
      }
    } finally {
      handle.release();
    }
    return this;
  }

  /**
   * Add identity {@code index} for these hosts or identifiers: host names ("api.example.com",
   * "*.example.com", IP literals) or logical identifiers ("Billing.Api"). An empty list makes it
   * a default identity.
   */
  public Config addIdentity(Pkcs12 p12, int index, List<String> pins) {
    Objects.requireNonNull(p12, "p12");
    Memory err = Mem.errorBuffer();
    Pointer cfg = handle.acquire();
    try (Mem.CStringArray arr = Mem.CStringArray.ofStrings(pins)) {
      Pointer c = p12.handle().acquire();
      try {
        if (Ffi.mxtls_config_add_identity_pinned(cfg, c, index, arr.array, arr.count, err) != 0) {
          throw MxtlsException.fromError(err);
        }
      } finally {
        p12.handle().release();
      }
    } finally {
      handle.release();
    }
    return this;
  }

  /** Hosts or identifiers that must present no client certificate at all. */
  public Config addNoIdentity(List<String> pins) {
    Memory err = Mem.errorBuffer();
    Pointer cfg = handle.acquire();
    try (Mem.CStringArray arr = Mem.CStringArray.ofStrings(pins)) {
      if (Ffi.mxtls_config_add_no_identity(cfg, arr.array, arr.count, err) != 0) throw MxtlsException.fromError(err);
    } finally {
      handle.release();
    }
    return this;
  }

  /** Trust these authorities too (copied: the bundle may be closed afterwards). */
  public Config addTrust(Trust trust) {
    Objects.requireNonNull(trust, "trust");
    Memory err = Mem.errorBuffer();
    Pointer cfg = handle.acquire();
    try {
      Pointer t = trust.handle().acquire();
      try {
        if (Ffi.mxtls_config_add_trust(cfg, t, err) != 0) throw MxtlsException.fromError(err);
      } finally {
        trust.handle().release();
      }
    } finally {
      handle.release();
    }
    return this;
  }

  /** Whether the platform's public roots are trusted besides the added authorities (default true). */
  public Config systemRoots(boolean enabled) {
    Pointer cfg = handle.acquire();
    try {
      Ffi.mxtls_config_set_system_roots(cfg, enabled ? 1 : 0);
    } finally {
      handle.release();
    }
    return this;
  }

  /** Protocol range (default TLS 1.2 to 1.3). */
  public Config tlsVersions(TlsVersion min, TlsVersion max) {
    Memory err = Mem.errorBuffer();
    Pointer cfg = handle.acquire();
    try {
      if (Ffi.mxtls_config_set_tls_versions(cfg, min.wire(), max.wire(), err) != 0) throw MxtlsException.fromError(err);
    } finally {
      handle.release();
    }
    return this;
  }

  /** Identities added so far. */
  public int identityCount() {
    Pointer cfg = handle.acquire();
    try {
      return Math.toIntExact(Ffi.mxtls_config_identity_count(cfg));
    } finally {
      handle.release();
    }
  }

  /** Warnings found while reading the environment (unknown keys, extra identities...). */
  public List<String> warnings() {
    Pointer cfg = handle.acquire();
    try {
      List<String> out = new ArrayList<>();
      for (long i = 0, n = Ffi.mxtls_config_warning_count(cfg); i < n; i++) out.add(Ffi.mxtls_config_warning(cfg, i));
      return List.copyOf(out);
    } finally {
      handle.release();
    }
  }

  /** Build the immutable context (the configuration stays usable). */
  public Context build() {
    return build(List.of());
  }

  Context build(List<String> configWarnings) {
    Memory err = Mem.errorBuffer();
    Pointer cfg = handle.acquire();
    try {
      Pointer ctx = Ffi.mxtls_ctx_new(cfg, err);
      if (ctx == null) throw MxtlsException.fromError(err);
      return new Context(ctx, 0, configWarnings, true);
    } finally {
      handle.release();
    }
  }

  /** Free now and wipe the key material it holds. Idempotent. */
  @Override
  public void close() {
    handle.close();
  }
}
