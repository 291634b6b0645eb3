package io.mxtls;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A bundle of certificate authorities as users upload them (PEM with any number of
 * certificates, its base64, or one DER certificate), or the platform's roots ({@link
 * #system()}). Immutable; {@link #close()} frees it.
 */
public final class Trust implements AutoCloseable {
  private final Handle handle;
  private final String source;
  private final int count;
  private final List<Warning> warnings;
  private volatile List<CertificateInfo> certificates;

  private Trust(Pointer ptr) {
    handle = new Handle(this, ptr, Ffi::mxtls_trust_free, "trust bundle");
    source = Ffi.mxtls_trust_source(ptr);
    count = Math.toIntExact(Ffi.mxtls_trust_cert_count(ptr));
    List<Warning> w = new ArrayList<>();
    for (long i = 0, n = Ffi.mxtls_trust_warning_count(ptr); i < n; i++) {
      w.add(new Warning(Ffi.mxtls_warning_name(Ffi.mxtls_trust_warning_kind(ptr, i)), Ffi.mxtls_trust_warning(ptr, i)));
    }
    warnings = List.copyOf(w);
  }

  /** Authorities from a file (messages name the file). */
  public static Trust load(Path file) {
    Objects.requireNonNull(file, "file");
    Memory err = Mem.errorBuffer();
    Pointer p = Ffi.mxtls_trust_load_file(file.toString(), err);
    if (p == null) throw MxtlsException.fromError(err);
    return new Trust(p);
  }

  /** Authorities from content: PEM text, its base64, or one DER certificate. */
  public static Trust load(byte[] content) {
    Objects.requireNonNull(content, "content");
    Memory err = Mem.errorBuffer();
    Memory in = Mem.copy(content, 0, content.length);
    Pointer p;
    try {
      p = Ffi.mxtls_trust_load_mem(in, content.length, err);
    } finally {
      Mem.wipe(in);
    }
    if (p == null) throw MxtlsException.fromError(err);
    return new Trust(p);
  }

  /**
   * The platform's public roots as OpenSSL-based tools find them: SSL_CERT_FILE, SSL_CERT_DIR,
   * then the distribution bundles. {@link IoException} if none is found.
   */
  public static Trust system() {
    Memory err = Mem.errorBuffer();
    Pointer p = Ffi.mxtls_trust_load_system(err);
    if (p == null) throw MxtlsException.fromError(err);
    return new Trust(p);
  }

  /** Where it came from: a path or "memory". */
  public String source() {
    return source;
  }

  /** Distinct certificates in the bundle. */
  public int count() {
    return count;
  }

  public List<Warning> warnings() {
    return warnings;
  }

  /** The authorities, in the order given (copied on first use). */
  public List<CertificateInfo> certificates() {
    List<CertificateInfo> c = certificates;
    if (c == null) {
      Pointer p = handle.acquire();
      try {
        List<CertificateInfo> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(new CertificateInfo(Ffi.mxtls_trust_cert(p, i)));
        c = certificates = List.copyOf(out);
      } finally {
        handle.release();
      }
    }
    return c;
  }

  Handle handle() {
    return handle;
  }

  @Override
  public void close() {
    handle.close();
  }
}
