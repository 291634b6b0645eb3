package io.mxtls;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** examples/java/CallApi.java, launched as a single-file source program like a user would. */
class ExampleTest {
  record Result(int exit, String out, String err) {}

  static Result callApi(Map<String, String> env, String url) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // what a user puts on the class path: the binding and JNA, nothing of the tests
    String cp = codeSource(Mxtls.class) + File.pathSeparator + codeSource(com.sun.jna.Native.class);
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", cp,
        Fixture.REPO.resolve("examples/java/CallApi.java").toString(), url);
    Map<String, String> e = pb.environment();
    e.keySet().removeIf(k -> k.startsWith("CLIENT_CERT") || k.startsWith("CERTIFICATE_AUTH") || (k.startsWith("MXTLS_") && !k.equals("MXTLS_LIBRARY")));
    e.putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    // small outputs: read after exit
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("CallApi did not finish within 60 s");
    }
    return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  static String codeSource(Class<?> c) throws Exception {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
  }

  static Map<String, String> env(Fixture fx, Path dir, String password) throws Exception {
    Files.writeString(dir.resolve("pw"), password);
    return Map.of("MXTLS_CLIENT_CERTIFICATE_FILE", fx.p12("alice").toString(),
        "MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE", dir.resolve("pw").toString(),
        "MXTLS_CERTIFICATE_AUTHORITIES_FILE", fx.serverCa().toString());
  }

  @Test
  void twoHundredPrintsTheBodyAndExitsZero(@TempDir Path dir) throws Exception {
    Fixture fx = Fixture.shared();
    Result r = callApi(env(fx, dir, fx.password()), fx.url("verified", "localhost"));
    assertEquals(0, r.exit(), r.err());
    Map<String, Object> body = MiniJson.object(r.out());
    assertEquals("SUCCESS", body.get("verify"));
    assertEquals(fx.subject("alice"), body.get("subject"));
  }

  @Test
  void aWrongPasswordExitsNonZeroWithTheCodeAndNoPassword(@TempDir Path dir) throws Exception {
    Fixture fx = Fixture.shared();
    Result r = callApi(env(fx, dir, "not the password 99"), fx.url("verified", "localhost"));
    assertNotEquals(0, r.exit());
    assertTrue(r.err().startsWith("mxtls: wrong_password: "), r.err());
    assertFalse(r.err().contains("not the password 99"), r.err());
    assertEquals("", r.out());
  }

  @Test
  void anUntrustedServerExitsNonZero(@TempDir Path dir) throws Exception {
    Fixture fx = Fixture.shared();
    Result r = callApi(env(fx, dir, fx.password()), fx.url("untrusted", "localhost"));
    assertNotEquals(0, r.exit());
    assertTrue(r.err().startsWith("tls: "), r.err());
  }

  @Test
  void aNon2xxAnswerExitsNonZero(@TempDir Path dir) throws Exception {
    Fixture fx = Fixture.shared();
    // /redirect/HOST answers 302, which HttpClient does not follow by default
    Result r = callApi(env(fx, dir, fx.password()), "https://localhost:" + fx.port("verified") + "/redirect/localhost");
    assertNotEquals(0, r.exit());
    assertEquals("http: 302" + System.lineSeparator(), r.err());
  }
}
