package io.mxtls;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LibraryTest {
  @Test
  void loadedFromMxtlsLibraryWithAbi0AndConstantsByName() {
    Mxtls.LibraryInfo info = Mxtls.load();
    String env = System.getenv("MXTLS_LIBRARY");
    assertNotNull(env, "the suite runs with MXTLS_LIBRARY set (ctest sets it)");
    assertEquals(java.nio.file.Path.of(env).toAbsolutePath().toString(), info.path());
    assertEquals(0, info.abi());
    assertTrue(info.version().matches("\\d+\\.\\d+\\.\\d+"), info.version());
    assertTrue(info.mbedtlsVersion().startsWith("3.6"), info.mbedtlsVersion());
    assertEquals(0x0303, Mxtls.constant("MXTLS_TLS_1_2"));
    assertTrue(Mxtls.constant("MXTLS_ERR_MAX") >= 17);
    LibraryException e = assertThrows(LibraryException.class, () -> Mxtls.constant("MXTLS_NO_SUCH_THING"));
    assertEquals("library", e.code());
    assertEquals(-1, e.errno());
  }

  @Test
  void aMissingLibraryIsRefusedWithoutFallback() {
    LibraryException e = assertThrows(LibraryException.class,
        () -> NativeLoader.load(Map.of("MXTLS_LIBRARY", "/nonexistent/libmxtls.so.0")));
    assertTrue(e.getMessage().contains("MXTLS_LIBRARY") && e.getMessage().contains("/nonexistent/libmxtls.so.0"), e.getMessage());
  }

  @Test
  void aLibraryWithoutAnAbiVersionIsRefused() throws Exception {
    String libz = null;
    for (String p : List.of("/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1",
        "/lib/aarch64-linux-gnu/libz.so.1", "/usr/lib/aarch64-linux-gnu/libz.so.1")) {
      if (new java.io.File(p).exists()) libz = p;
    }
    assertNotNull(libz, "libz.so.1 not found");
    String path = libz;
    LibraryException e = assertThrows(LibraryException.class, () -> NativeLoader.load(Map.of("MXTLS_LIBRARY", path)));
    assertTrue(e.getMessage().contains("mxtls_abi_version missing") && e.getMessage().contains("ABI 0"), e.getMessage());
  }

  @Test
  void lookupOrderWithoutMxtlsLibrary() {
    List<String> c = NativeLoader.candidates(Map.of());
    assertEquals("/usr/local/lib/libmxtls.so.0", c.get(0));
    assertTrue(c.get(1).matches("/usr/lib/[a-z0-9_]+-linux-gnu/libmxtls\\.so\\.0"), c.get(1));
    assertEquals(List.of("/usr/lib/libmxtls.so.0", "libmxtls.so.0"), c.subList(2, 4));
    assertEquals(List.of("/x/lib.so"), NativeLoader.candidates(Map.of("MXTLS_LIBRARY", "/x/lib.so")));
  }

  @Test
  void everyErrorCodeHasItsSubclassAndUnknownCodesTheBaseClass() {
    int max = (int) Mxtls.constant("MXTLS_ERR_MAX");
    assertEquals(max, MxtlsException.known().size(), "one subclass per code 1..MXTLS_ERR_MAX");
    for (int code = 1; code <= max; code++) {
      MxtlsException e = MxtlsException.of(code, "m");
      assertNotSame(MxtlsException.class, e.getClass(), "code " + code);
      assertEquals(Ffi.mxtls_error_name(code), e.code());
      assertEquals(code, e.errno());
      String cls = e.getClass().getSimpleName();
      String camel = Arrays.stream(e.code().split("_")).map(w -> Character.toUpperCase(w.charAt(0)) + w.substring(1))
          .reduce("", String::concat) + "Exception";
      assertEquals(camel, cls);
    }
    assertInstanceOf(WrongPasswordException.class, MxtlsException.of((int) Mxtls.constant("MXTLS_ERR_WRONG_PASSWORD"), "x"));
    MxtlsException future = MxtlsException.of(max + 1, "from a newer library");
    assertEquals(MxtlsException.class, future.getClass());
    assertEquals(max + 1, future.errno());
    assertEquals("from a newer library", future.getMessage());
  }

  /** The ABI class of a C type, as tests/abi/test_binding_decls.py defines them. */
  private static String cClass(String t) {
    t = t.replaceAll("\\bconst\\b", " ").replaceAll("\\bstruct\\b", " ").trim();
    if (t.endsWith("*") || t.equals("mxtls_event_fn") || t.equals("mxtls_cleanup_fn")) return "pointer";
    Map<String, String> ints = new HashMap<>();
    ints.put("int", "i32");
    ints.put("unsigned", "u32");
    ints.put("long", "i64");
    ints.put("size_t", "u64");
    ints.put("int64_t", "i64");
    ints.put("uint64_t", "u64");
    ints.put("void", "void");
    String c = ints.get(t.replaceAll("\\s+", " "));
    if (c == null) throw new IllegalArgumentException("unknown C type " + t);
    return c;
  }

  /** Java types a C ABI class may be bound to (signedness is the binding's to handle). */
  private static boolean fits(String cls, Class<?> j, boolean ret) {
    switch (cls) {
      case "void": return j == void.class;
      case "i32": case "u32": return j == int.class;
      case "i64": case "u64": return j == long.class;
      case "pointer":
        return j == com.sun.jna.Pointer.class || j == String.class || (!ret && j.isArray() && j.getComponentType().isPrimitive());
      default: return false;
    }
  }

  @Test
  void everyNativeMethodMatchesItsDeclaredPrototype() {
    Pattern proto = Pattern.compile("^(.+?)\\b(mxtls_\\w+)\\((.*)\\)$");
    Map<String, Method> natives = new HashMap<>();
    for (Method m : Ffi.class.getDeclaredMethods()) {
      if (Modifier.isNative(m.getModifiers())) natives.put(m.getName(), m);
    }
    assertEquals(Declarations.DECLARATIONS.length, natives.size(), "one native method per declaration");
    List<String> bad = new ArrayList<>();
    for (String d : Declarations.DECLARATIONS) {
      Matcher mm = proto.matcher(d);
      assertTrue(mm.matches(), d);
      Method m = natives.get(mm.group(2));
      if (m == null) {
        bad.add("no native method for " + d);
        continue;
      }
      List<String> params = new ArrayList<>();
      String ps = mm.group(3).trim();
      if (!ps.equals("void")) {
        for (String p : ps.split(",")) {
          p = p.trim();
          // drop the parameter's name: the last identifier, unless the declaration ends in '*'
          params.add(p.replaceAll("\\s*\\b[A-Za-z_]\\w*$", "").replaceAll("\\*\\s*$", "*"));
        }
      }
      if (!fits(cClass(mm.group(1).trim()), m.getReturnType(), true)) bad.add(d + ": returns " + m.getReturnType());
      if (params.size() != m.getParameterCount()) {
        bad.add(d + ": " + m.getParameterCount() + " parameters");
        continue;
      }
      for (int i = 0; i < params.size(); i++) {
        if (!fits(cClass(params.get(i)), m.getParameterTypes()[i], false)) {
          bad.add(d + ": parameter " + i + " is " + m.getParameterTypes()[i].getSimpleName());
        }
      }
    }
    assertEquals(List.of(), bad);
  }

  @Test
  void declarationsArePrintedAsJson() {
    String[] d = Mxtls.declarations();
    assertEquals(Declarations.DECLARATIONS.length, d.length);
    assertTrue(Arrays.asList(d).contains("size_t mxtls_no_identity(void)"));
    Object parsed = MiniJson.parse(captureDeclarationsMain());
    assertEquals(Arrays.asList(d), parsed);
  }

  private static String captureDeclarationsMain() {
    java.io.PrintStream old = System.out;
    java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      Declarations.main(new String[0]);
    } finally {
      System.setOut(old);
    }
    return buf.toString(java.nio.charset.StandardCharsets.UTF_8).trim();
  }
}
