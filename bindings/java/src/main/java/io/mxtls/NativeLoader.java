package io.mxtls;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds libmxtls, checks its ABI, and binds {@link Ffi}. Lookup order (the first that loads
 * wins):
 *
 * <ol>
 *   <li>the {@code MXTLS_LIBRARY} environment variable: a path, with no fallback if it fails;
 *   <li>{@code /usr/local/lib/libmxtls.so.0}, {@code /usr/lib/<multiarch>/libmxtls.so.0},
 *       {@code /usr/lib/libmxtls.so.0};
 *   <li>the system loader ({@code libmxtls.so.0} through {@code LD_LIBRARY_PATH} and
 *       {@code ld.so.cache}).
 * </ol>
 *
 * Constants are read by name through {@code mxtls_constant()}, never copied from the header.
 */
final class NativeLoader {
  static final String SONAME = "libmxtls.so.0";
  private static final Pattern NAME = Pattern.compile("(mxtls_\\w+)\\(");

  final String path;
  final int abi;
  final long noIdentity;
  final long errorSize;
  /** The library's own {@code mxtls_event_queue}, passed as the runtime's callback. */
  final Function eventQueue;
  private final Map<String, Long> constants = new ConcurrentHashMap<>();

  private NativeLoader(String path, int abi, Function eventQueue) {
    this.path = path;
    this.abi = abi;
    this.eventQueue = eventQueue;
    this.noIdentity = Ffi.mxtls_no_identity();
    this.errorSize = Ffi.mxtls_error_size();
  }

  private static final class Holder {
    static final Object INSTANCE = loadOrError(System.getenv());
  }

  private static Object loadOrError(Map<String, String> env) {
    try {
      return load(env);
    } catch (LibraryException e) {
      return e;
    }
  }

  /** The process-wide binding; throws {@link LibraryException} (every time) if it cannot load. */
  static NativeLoader get() {
    Object o = Holder.INSTANCE;
    if (o instanceof LibraryException) {
      LibraryException e = (LibraryException) o;
      throw new LibraryException(e.getMessage(), e);
    }
    return (NativeLoader) o;
  }

  static String multiarch() {
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    switch (arch) {
      case "amd64":
      case "x86_64":
        return "x86_64-linux-gnu";
      case "aarch64":
      case "arm64":
        return "aarch64-linux-gnu";
      default:
        return arch + "-linux-gnu";
    }
  }

  /** The candidates in lookup order; {@code explicit} when MXTLS_LIBRARY is set. */
  static List<String> candidates(Map<String, String> env) {
    String explicit = env.get("MXTLS_LIBRARY");
    if (explicit != null && !explicit.isEmpty()) return List.of(explicit);
    return List.of("/usr/local/lib/" + SONAME, "/usr/lib/" + multiarch() + "/" + SONAME,
        "/usr/lib/" + SONAME, SONAME);
  }

  /** Loads and binds from these variables (exposed for tests: the JVM's binding is bound once). */
  static NativeLoader load(Map<String, String> env) {
    if (Native.POINTER_SIZE != 8 || Native.SIZE_T_SIZE != 8 || Native.LONG_SIZE != 8) {
      throw new LibraryException("the mxtls Java binding supports 64-bit LP64 platforms only");
    }
    boolean explicit = env.get("MXTLS_LIBRARY") != null && !env.get("MXTLS_LIBRARY").isEmpty();
    List<String> tried = new ArrayList<>();
    NativeLibrary lib = null;
    String path = null;
    for (String p : candidates(env)) {
      if (p.contains("/") && !explicit && !Files.exists(Path.of(p))) continue;
      // JNA searches its own paths for a relative name: make "build/libmxtls.so.0" absolute
      String load = p.contains("/") ? Path.of(p).toAbsolutePath().toString() : p;
      try {
        lib = NativeLibrary.getInstance(load);
        path = load;
        break;
      } catch (UnsatisfiedLinkError e) {
        tried.add(p + ": " + firstLine(e.getMessage()));
      }
    }
    if (lib == null) {
      throw new LibraryException("libmxtls not found (" + (explicit ? "MXTLS_LIBRARY" : "lookup") + "): "
          + (tried.isEmpty() ? "no candidate exists" : String.join("; ", tried)));
    }
    int abi;
    try {
      abi = lib.getFunction("mxtls_abi_version").invokeInt(new Object[0]);
    } catch (UnsatisfiedLinkError e) {
      throw new LibraryException(path + ": not a libmxtls with an ABI version (mxtls_abi_version missing); "
          + "this binding knows ABI " + Declarations.KNOWN_ABI);
    }
    if (abi != Declarations.KNOWN_ABI) {
      throw new LibraryException(path + ": libmxtls ABI version " + abi + ", this binding knows ABI "
          + Declarations.KNOWN_ABI);
    }
    List<String> missing = new ArrayList<>();
    for (String proto : Declarations.DECLARATIONS) {
      String name = functionName(proto);
      try {
        lib.getFunction(name);
      } catch (UnsatisfiedLinkError e) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty()) {
      throw new LibraryException(path + ": ABI " + abi + " but missing " + String.join(", ", missing)
          + " (a library older than its header?)");
    }
    synchronized (NativeLoader.class) {
      Native.register(Ffi.class, lib);
    }
    return new NativeLoader(path, abi, lib.getFunction("mxtls_event_queue"));
  }

  static String functionName(String proto) {
    Matcher m = NAME.matcher(proto);
    if (!m.find()) throw new IllegalArgumentException("not a prototype: " + proto);
    return m.group(1);
  }

  /** A constant of mxtls.h by name; {@link LibraryException} for a name the library does not know. */
  long constant(String name) {
    Long v = constants.get(name);
    if (v != null) return v;
    long[] out = new long[1];
    if (Ffi.mxtls_constant(name, out) != 0) {
      throw new LibraryException(path + ": mxtls_constant does not know " + name);
    }
    constants.put(name, out[0]);
    return out[0];
  }

  int intConstant(String name) {
    return Math.toIntExact(constant(name));
  }

  private static String firstLine(String s) {
    if (s == null) return "cannot load";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
