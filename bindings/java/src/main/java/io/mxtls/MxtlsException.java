package io.mxtls;

import com.sun.jna.Pointer;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * What a failing libmxtls call reported: the library's stable code name ({@code
 * "wrong_password"}, {@code "not_pinned"}, ...), its number, and its message verbatim, which
 * the C library guarantees never holds a password or key material.
 *
 * <p>Each code 1..MXTLS_ERR_MAX has its own subclass ({@link WrongPasswordException}, {@link
 * CorruptException}, {@link NotPinnedException}, ...). A code this binding does not know (a
 * newer library) is a plain {@code MxtlsException} with the library's name for it. Problems
 * with the library itself (not found, unknown ABI) are {@link LibraryException}.
 *
 * <p>Unchecked, like {@link java.io.UncheckedIOException}: most callers let it propagate to a
 * handler that logs {@link #code()} and the message.
 */
public class MxtlsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final int errno;

  /**
   * @param code stable lower-case name (mxtls_error_name), or "library"
   * @param errno the C code, -1 for {@link LibraryException}
   */
  public MxtlsException(String code, int errno, String message) {
    super(message);
    this.code = code;
    this.errno = errno;
  }

  MxtlsException(String code, int errno, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.errno = errno;
  }

  /** The stable name of the code ("wrong_password", "corrupt", "library", ...). */
  public String code() {
    return code;
  }

  /** The C code (mxtls_code); -1 for {@link LibraryException}. */
  public int errno() {
    return errno;
  }

  private static final Map<String, BiFunction<Integer, String, MxtlsException>> BY_NAME = Map.ofEntries(
      Map.entry("usage", UsageException::new),
      Map.entry("nomem", NomemException::new),
      Map.entry("io", IoException::new),
      Map.entry("corrupt", CorruptException::new),
      Map.entry("wrong_password", WrongPasswordException::new),
      Map.entry("unsupported_algorithm", UnsupportedAlgorithmException::new),
      Map.entry("unsupported_key", UnsupportedKeyException::new),
      Map.entry("no_key", NoKeyException::new),
      Map.entry("no_certificate", NoCertificateException::new),
      Map.entry("key_mismatch", KeyMismatchException::new),
      Map.entry("limit_exceeded", LimitExceededException::new),
      Map.entry("empty", EmptyException::new),
      Map.entry("no_mac", NoMacException::new),
      Map.entry("internal", InternalException::new),
      Map.entry("not_pinned", NotPinnedException::new),
      Map.entry("config", ConfigException::new),
      Map.entry("expired", ExpiredException::new));

  /**
   * The exception for a C code and message. Codes 1..MXTLS_ERR_MAX (read from the library)
   * whose name this binding knows get their subclass; the name is the library's own, so a
   * renumbering could never pick the wrong class.
   */
  static MxtlsException of(int errno, String message) {
    NativeLoader n = NativeLoader.get();
    String name = Ffi.mxtls_error_name(errno);
    if (errno >= 1 && errno <= n.constant("MXTLS_ERR_MAX")) {
      BiFunction<Integer, String, MxtlsException> make = BY_NAME.get(name);
      if (make != null) return make.apply(errno, message);
    }
    return new MxtlsException(name, errno, message);
  }

  /** A binding-side error under a library code, by name (e.g. "usage" for a closed handle). */
  static MxtlsException of(String codeName, String message) {
    return of(NativeLoader.get().intConstant("MXTLS_ERR_" + codeName.toUpperCase(java.util.Locale.ROOT)), message);
  }

  /** The exception an mxtls_error buffer holds. */
  static MxtlsException fromError(Pointer err) {
    int errno = Ffi.mxtls_error_code(err);
    String message = Ffi.mxtls_error_message(err);
    if (message == null || message.isEmpty()) message = Ffi.mxtls_strerror(errno);
    return of(errno, message);
  }

  static Map<String, BiFunction<Integer, String, MxtlsException>> known() {
    return BY_NAME;
  }
}
