package io.mxtls;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.Map;
import java.util.Objects;

/** Entry points: load the library early, read constants, build a context from the environment. */
public final class Mxtls {
  private Mxtls() {}

  /** What was loaded. */
  public record LibraryInfo(String path, String version, int abi, String mbedtlsVersion) {}

  /** Load libmxtls now (else on first use); throws {@link LibraryException}. */
  public static LibraryInfo load() {
    NativeLoader n = NativeLoader.get();
    return new LibraryInfo(n.path, Ffi.mxtls_version(), n.abi, Ffi.mxtls_mbedtls_version());
  }

  /** A constant of mxtls.h by name ("MXTLS_MAX_PASSWORD_BYTES", "MXTLS_ERR_EXPIRED", ...). */
  public static long constant(String name) {
    return NativeLoader.get().constant(name);
  }

  /** The C prototypes this binding declares (see {@link Declarations}). */
  public static String[] declarations() {
    return Declarations.DECLARATIONS.clone();
  }

  /**
   * A context from the platform's variables (CLIENT_CERTIFICATES, CERTIFICATE_AUTHORITIES, the
   * *_FILE forms; pass {@code System.getenv()} or a map of your own). The "K=V" strings go to C
   * through memory the binding zeroes after the call. The environment's warnings are in {@link
   * Context#configWarnings()}. The caller owns the context.
   */
  public static Context fromEnv(Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    NativeLoader.get();
    Memory err = Mem.errorBuffer();
    Pointer cfg;
    try (Mem.CStringArray envp = EnvStrings.of(env)) {
      cfg = Ffi.mxtls_config_from_env(envp.array, err);
    }
    if (cfg == null) throw MxtlsException.fromError(err);
    try (Config c = Config.adopt(cfg)) {
      return c.build(c.warnings());
    }
  }

  /**
   * Why a handshake with a server failed, when mbedTLS could not even see its key (Ed25519,
   * RSASSA-PSS): connects again and reads the server's certificate. Informational.
   */
  public static String explainServerKey(String host, int port, long timeoutMillis) {
    NativeLoader.get();
    byte[] buf = new byte[512];
    int rc = Ffi.mxtls_server_key_explain(Context.bareHost(host), port, timeoutMillis, buf, buf.length);
    return rc < 0 ? "" : Mem.cString(buf);
  }
}
