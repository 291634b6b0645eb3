package io.mxtls;

import static org.junit.jupiter.api.Assertions.*;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeTest {
  /** The mounted-secret form of the environment, in dir. */
  static Map<String, String> mountedEnv(Fixture fx, Path dir) throws Exception {
    Files.copy(fx.p12("alice"), dir.resolve("client.p12"), StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(dir.resolve("password"), fx.password() + "\n");
    Files.copy(fx.serverCa(), dir.resolve("ca.pem"), StandardCopyOption.REPLACE_EXISTING);
    Map<String, String> env = new HashMap<>();
    env.put("MXTLS_CLIENT_CERTIFICATE_FILE", dir.resolve("client.p12").toString());
    env.put("MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE", dir.resolve("password").toString());
    env.put("MXTLS_CERTIFICATE_AUTHORITIES_FILE", dir.resolve("ca.pem").toString());
    return env;
  }

  /** Replace a file the way secret mounts and deploy tools do: a temporary file, then rename. */
  static void replace(Path source, Path target) throws Exception {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  static void awaitGeneration(Runtime rt, long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (rt.generation() < atLeast) {
      if (System.nanoTime() > deadline) fail("no rotation to generation " + atLeast + " within 15 s (at " + rt.generation() + ")");
      Thread.sleep(50);
    }
  }

  @Test
  void rotationByReplacingTheP12WithNoRestart(@TempDir Path secrets, @TempDir Path issuing) throws Exception {
    Fixture fx = Fixture.shared();
    Map<String, String> env = mountedEnv(fx, secrets);
    List<Event> events = new CopyOnWriteArrayList<>();
    try (Runtime rt = Runtime.start(env, true)) {
      rt.addListener(events::add);
      assertEquals(1, rt.generation());
      Context first = rt.context();
      assertSame(first, rt.context(), "the same object until a rotation");
      assertEquals(fx.subject("alice"), first.identities().get(0).subject());
      SSLContext ssl = rt.sslContext();
      assertSame(ssl, rt.sslContext());
      HttpClient client = Http.client(ssl);
      assertEquals(fx.subject("alice"), Http.subject(Http.get(client, fx.url("verified", "localhost"))));

      Path rotated = Fixture.issue(fx, issuing, "rotated", "rotated.fixture.test", fx.password());
      replace(rotated, secrets.resolve("client.p12"));
      awaitGeneration(rt, 2);
      Context second = rt.context();
      assertEquals(2, second.generation());
      assertEquals("CN=rotated.fixture.test", second.identities().get(0).subject());

      // The connection opened before the rotation (pooled, keep-alive) finishes on its handshake...
      assertEquals(fx.subject("alice"), Http.subject(Http.get(client, fx.url("verified", "localhost"))));
      // ...and the next new connection of the same HttpClient presents the new identity.
      assertEquals("CN=rotated.fixture.test", Http.subject(Http.get(client, fx.url("verified", "127.0.0.1"))));
      // A new client on the same SSLContext: a full handshake with the new material (no session
      // of the old generation is resumed).
      Map<String, Object> fresh = Http.get(Http.client(ssl), fx.url("verified", "localhost"));
      assertEquals("CN=rotated.fixture.test", Http.subject(fresh));
      assertEquals(".", fresh.get("reused"));
      // The old context object stays usable (it holds its own reference).
      assertEquals(fx.subject("alice"), first.identities().get(0).subject());
      assertEquals(0, first.select("anything").getAsInt());

      // A broken file: reload fails, the current context stays.
      Files.write(secrets.resolve("broken.p12"), "not a p12".getBytes());
      replace(secrets.resolve("broken.p12"), secrets.resolve("client.p12"));
      Thread.sleep(500);
      assertThrows(CorruptException.class, rt::reload);
      assertEquals(2, rt.generation());
      assertEquals("CN=rotated.fixture.test", Http.subject(Http.get(Http.client(ssl), fx.url("verified", "localhost"))));

      long until = System.nanoTime() + 5_000_000_000L;
      while (events.stream().noneMatch(e -> e.kind().equals("reload_failed")) && System.nanoTime() < until) Thread.sleep(50);
    }
    List<String> kinds = events.stream().map(Event::kind).toList();
    assertTrue(kinds.contains("loaded") && kinds.contains("reloaded") && kinds.contains("reload_failed"), kinds.toString());
    for (Event e : events) assertFalse(e.message().contains(fx.password()), e.message());
  }

  @Test
  void reloadAndEventsByPolling(@TempDir Path secrets) throws Exception {
    Fixture fx = Fixture.shared();
    try (Runtime rt = Runtime.start(mountedEnv(fx, secrets), false)) {
      assertTrue(rt.eventFd() >= 0);
      List<String> kinds = rt.pollEvents().stream().map(Event::kind).toList();
      assertTrue(kinds.contains("loaded"), kinds.toString()); // with "expiring": the fixture's certificates last 30 days
      assertEquals(List.of(), rt.pollEvents());
      rt.reload();
      assertTrue(rt.pollEvents().stream().map(Event::kind).toList().contains("unchanged"));
      assertEquals(1, rt.generation());
      rt.context().close(); // a no-op on a runtime's context
      assertFalse(rt.context().isClosed());
    }
  }

  @Test
  void startUpErrorsAreThrown(@TempDir Path secrets) throws Exception {
    Fixture fx = Fixture.shared();
    Map<String, String> env = mountedEnv(fx, secrets);
    env.put("MXTLS_CLIENT_CERTIFICATE_FILE", secrets.resolve("missing.p12").toString());
    MxtlsException e = assertThrows(MxtlsException.class, () -> Runtime.start(env, true));
    assertTrue(e.getMessage().contains("missing.p12"), e.getMessage());

    String secret = "wrong secret 123";
    String pfx = Base64.getEncoder().encodeToString(Files.readAllBytes(fx.p12("alice")));
    Map<String, String> bad = Map.of("CLIENT_CERTIFICATES", "[{\"pfx\": \"" + pfx + "\", \"password\": \"" + secret + "\"}]");
    MxtlsException w = assertThrows(MxtlsException.class, () -> Mxtls.fromEnv(bad));
    assertTrue(w instanceof WrongPasswordException || w instanceof ConfigException, w.getClass().getName());
    assertTrue(w.getMessage().contains("CLIENT_CERTIFICATES"), w.getMessage());
    assertFalse(w.getMessage().contains(secret), w.getMessage());
    assertThrows(MxtlsException.class, () -> Runtime.start(bad, false));
    ConfigException c = assertThrows(ConfigException.class, () -> Mxtls.fromEnv(Map.of("CLIENT_CERTIFICATES", "[{")));
    assertTrue(c.getMessage().contains("CLIENT_CERTIFICATES"), c.getMessage());
  }

  @Test
  void fromEnvWithInlineCertificatesAndPins() throws Exception {
    Fixture fx = Fixture.shared();
    String a = Base64.getEncoder().encodeToString(Files.readAllBytes(fx.p12("alice")));
    String b = Base64.getEncoder().encodeToString(Files.readAllBytes(fx.p12("bob")));
    String json = "[{\"pfx\": \"" + a + "\", \"password\": \"" + fx.password() + "\", \"pin_to\": [\"localhost\"]},"
        + " {\"pfx\": \"" + b + "\", \"password\": \"" + fx.password() + "\", \"pin_to\": [\"127.0.0.1\"]}]";
    try (Context ctx = Mxtls.fromEnv(Map.of("CLIENT_CERTIFICATES", json, "CERTIFICATE_AUTHORITIES", Files.readString(fx.serverCa())))) {
      assertEquals(2, ctx.identities().size());
      assertTrue(ctx.systemRootCount() > 0);
      HttpClient c = Http.client(ctx.sslContext());
      assertEquals(fx.subject("alice"), Http.subject(Http.get(c, fx.url("verified", "localhost"))));
      assertEquals(fx.subject("bob"), Http.subject(Http.get(c, fx.url("verified", "127.0.0.1"))));
    }
  }
}
