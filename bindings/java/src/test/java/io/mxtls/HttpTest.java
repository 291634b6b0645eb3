package io.mxtls;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HttpTest {
  static Fixture fx;
  /** alice pinned to localhost, bob to 127.0.0.1; the server CA added to the system roots. */
  static Context pinned;
  /** alice as the default identity; only the server CA trusted. */
  static Context aliceOnly;

  @BeforeAll
  static void setUp() throws Exception {
    fx = Fixture.shared();
    char[] pw = fx.password().toCharArray();
    try (Pkcs12 alice = Pkcs12.load(fx.p12("alice"), pw);
         Pkcs12 bob = Pkcs12.load(fx.p12("bob"), pw);
         Trust ca = Trust.load(fx.serverCa());
         Config c1 = new Config().addIdentity(alice, 0, List.of("localhost")).addIdentity(bob, 0, List.of("127.0.0.1")).addTrust(ca);
         Config c2 = new Config().addIdentity(alice).addTrust(ca).systemRoots(false)) {
      pinned = c1.build();
      aliceOnly = c2.build();
    }
  }

  @AfterAll
  static void tearDown() {
    pinned.close();
    aliceOnly.close();
  }

  @Test
  void theContextListsIdentitiesPinsAndTrust() {
    assertEquals(2, pinned.identities().size());
    assertEquals(List.of("localhost"), pinned.identities().get(0).pins());
    assertEquals(fx.subject("bob"), pinned.identities().get(1).subject());
    assertEquals(0, pinned.select("LOCALHOST").getAsInt());
    assertEquals(1, pinned.select("127.0.0.1").getAsInt());
    assertTrue(pinned.select("other.example").isEmpty(), "no default identity");
    assertTrue(pinned.systemRootCount() > 50);
    assertEquals(pinned.trustCount(), pinned.trustAnchors().size(), "JSSE gets exactly the library's authorities");
    assertEquals(1, aliceOnly.trustCount());
    assertEquals(0, aliceOnly.systemRootCount());
    assertEquals(1, aliceOnly.trustAnchors().size());
    NotPinnedException e = assertThrows(NotPinnedException.class,
        () -> pinned.checkHost(pinned.select("localhost"), null, "127.0.0.1"));
    assertTrue(e.getMessage().contains("127.0.0.1"), e.getMessage());
    pinned.checkHost(pinned.select("localhost"), null, "localhost");
  }

  @Test
  void httpClientAndHttpsUrlConnectionPresentTheIdentity() throws Exception {
    SSLContext ssl = aliceOnly.sslContext();
    Map<String, Object> a = Http.get(Http.client(ssl), fx.url("verified", "localhost"));
    assertEquals("SUCCESS", a.get("verify"));
    assertEquals(fx.subject("alice"), Http.subject(a));
    Map<String, Object> b = Http.getUrlConnection(ssl, fx.url("verified", "localhost"));
    assertEquals("SUCCESS", b.get("verify"));
    assertEquals(fx.subject("alice"), Http.subject(b));
  }

  @Test
  void twoIdentitiesPinnedToTwoHostsThroughOneSslContext() throws Exception {
    SSLContext ssl = pinned.sslContext();
    HttpClient client = Http.client(ssl);
    for (int round = 0; round < 2; round++) {
      assertEquals(fx.subject("alice"), Http.subject(Http.get(client, fx.url("verified", "localhost"))));
      assertEquals(fx.subject("bob"), Http.subject(Http.get(client, fx.url("verified", "127.0.0.1"))));
    }
    assertEquals(fx.subject("bob"), Http.subject(Http.getUrlConnection(ssl, fx.url("verified", "127.0.0.1"))));
    assertEquals(fx.subject("alice"), Http.subject(Http.getUrlConnection(ssl, fx.url("verified", "localhost"))));
  }

  @Test
  void aHostMappedToNoIdentityPresentsNone() throws Exception {
    String pfx = Base64.getEncoder().encodeToString(Files.readAllBytes(fx.p12("alice")));
    String json = "[{\"pfx\": \"" + pfx + "\", \"password\": \"" + fx.password() + "\", \"pin_to\": [\"localhost\"]},"
        + " {\"pfx\": null, \"pin_to\": [\"127.0.0.1\"]}]";
    try (Context ctx = Mxtls.fromEnv(Map.of("CLIENT_CERTIFICATES", json,
        "CERTIFICATE_AUTHORITIES", Files.readString(fx.serverCa()), "MXTLS_SYSTEM_ROOTS", "0"))) {
      HttpClient c = Http.client(ctx.sslContext());
      assertEquals(fx.subject("alice"), Http.subject(Http.get(c, fx.url("verified", "localhost"))));
      Map<String, Object> none = Http.get(c, fx.url("verified", "127.0.0.1"));
      assertEquals("NONE", none.get("verify"));
      assertEquals("", Http.subject(none));
    }
    // the same with Config.addNoIdentity, where an identity is the default
    try (Pkcs12 alice = Pkcs12.load(fx.p12("alice"), fx.password().toCharArray());
         Trust ca = Trust.load(fx.serverCa());
         Config cfg = new Config().addIdentity(alice).addNoIdentity(List.of("127.0.0.1")).addTrust(ca);
         Context ctx = cfg.build()) {
      HttpClient c = Http.client(ctx.sslContext());
      assertEquals("NONE", Http.get(c, fx.url("verified", "127.0.0.1")).get("verify"));
      assertEquals(fx.subject("alice"), Http.subject(Http.get(c, fx.url("verified", "localhost"))));
    }
  }

  @Test
  void anUntrustedServerFailsTheHandshake() throws Exception {
    HttpClient c = Http.client(aliceOnly.sslContext());
    assertThrows(SSLHandshakeException.class, () -> Http.get(c, fx.url("untrusted", "localhost")));
    // with the system roots too (none of which issued the rogue certificate)
    HttpClient c2 = Http.client(pinned.sslContext());
    assertThrows(SSLHandshakeException.class, () -> Http.get(c2, fx.url("untrusted", "localhost")));
    assertThrows(SSLHandshakeException.class, () -> Http.getUrlConnection(aliceOnly.sslContext(), fx.url("untrusted", "localhost")));
  }

  @Test
  void theLegacyVectorIsPresentedAndEchoed() throws Exception {
    try (Pkcs12 legacy = Pkcs12.load(fx.legacyP12(), fx.legacyPassword().toCharArray());
         Trust ca = Trust.load(fx.serverCa());
         Config cfg = new Config().addIdentity(legacy).addTrust(ca).systemRoots(false);
         Context ctx = cfg.build()) {
      Map<String, Object> a = Http.get(Http.client(ctx.sslContext()), fx.url("any", "localhost"));
      X500Principal expected = legacy.identities().get(0).chain().get(0).getSubjectX500Principal();
      assertEquals(expected, new X500Principal(Http.subject(a)), "echoed: " + a);
    }
  }

  @Test
  void protocolRangeComesFromTheContext() throws Exception {
    assertArrayEquals(new String[] {"TLSv1.3", "TLSv1.2"}, aliceOnly.sslContext().getDefaultSSLParameters().getProtocols());
    try (Pkcs12 alice = Pkcs12.load(fx.p12("alice"), fx.password().toCharArray());
         Trust ca = Trust.load(fx.serverCa());
         Config cfg = new Config().addIdentity(alice).addTrust(ca).systemRoots(false)
             .tlsVersions(TlsVersion.TLS_1_2, TlsVersion.TLS_1_2);
         Context ctx = cfg.build()) {
      SSLContext ssl = ctx.sslContext();
      assertArrayEquals(new String[] {"TLSv1.2"}, ssl.getDefaultSSLParameters().getProtocols());
      Map<String, Object> a = Http.get(Http.client(ssl), fx.url("verified", "localhost"));
      assertEquals("TLSv1.2", a.get("protocol"));
      assertEquals(fx.subject("alice"), Http.subject(a));
    }
    assertThrows(java.security.KeyManagementException.class, () -> aliceOnly.sslContext().init(null, null, null));
  }

  @Test
  void anSniNameThatSelectsAnotherIdentityIsRefusedBeforeTheCertificateIsSent() throws Exception {
    SSLContext ssl = pinned.sslContext();
    try (SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", fx.port("verified"))) {
      SSLParameters p = s.getSSLParameters();
      p.setServerNames(List.of(new SNIHostName("localhost"))); // bob is selected for 127.0.0.1, alice for localhost
      s.setSSLParameters(p);
      SSLHandshakeException e = assertThrows(SSLHandshakeException.class, s::startHandshake);
      Throwable t = e;
      while (t != null && !(t instanceof NotPinnedException)) t = t.getCause();
      assertNotNull(t, "caused by NotPinnedException: " + e);
      assertTrue(t.getMessage().contains("localhost"), t.getMessage());
    }
    // and a consistent one works: an SSLSocket over a plain socket, SNI = peer host
    try (java.net.Socket plain = new java.net.Socket()) {
      plain.connect(new InetSocketAddress("127.0.0.1", fx.port("verified")));
      try (SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket(plain, "127.0.0.1", fx.port("verified"), true)) {
        s.startHandshake();
        s.getOutputStream().write("GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String r = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(r.contains(fx.subject("bob")), r);
      }
    }
  }

  @Test
  void eightThreadsShareOneSslContext() throws Exception {
    SSLContext ssl = pinned.sslContext();
    HttpClient shared = Http.client(ssl);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<List<String>>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int id = t;
        futures.add(pool.submit(() -> {
          List<String> bad = new ArrayList<>();
          HttpClient own = Http.client(ssl); // new connections: concurrent handshakes
          for (int i = 0; i < 6; i++) {
            String host = (i + id) % 2 == 0 ? "localhost" : "127.0.0.1";
            String want = fx.subject(host.equals("localhost") ? "alice" : "bob");
            HttpClient c = i % 2 == 0 ? own : shared;
            String got = Http.subject(Http.get(c, fx.url("verified", host)));
            if (!want.equals(got)) bad.add(host + " -> " + got);
          }
          return bad;
        }));
      }
      for (Future<List<String>> f : futures) assertEquals(List.of(), f.get());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anSslContextOutlivesTheContextItWasMadeFrom() throws Exception {
    SSLContext ssl;
    try (Pkcs12 bob = Pkcs12.load(fx.p12("bob"), fx.password().toCharArray());
         Trust ca = Trust.load(fx.serverCa());
         Config cfg = new Config().addIdentity(bob).addTrust(ca).systemRoots(false)) {
      Context ctx = cfg.build();
      ssl = ctx.sslContext();
      ctx.close();
      assertTrue(ctx.isClosed());
      assertThrows(UsageException.class, () -> ctx.select("localhost"));
    }
    System.gc();
    assertEquals(fx.subject("bob"), Http.subject(Http.get(Http.client(ssl), fx.url("verified", "localhost"))));
  }

  @Test
  void keysAreMadeOncePerContextAndIdentity() {
    KeyMaterial m1 = pinned.material(1);
    assertSame(m1, pinned.material(1));
    assertEquals("EC", m1.key().getAlgorithm());
    assertEquals("RSA", pinned.material(0).key().getAlgorithm());
    assertEquals(fx.subject("alice"), "CN=" + pinned.material(0).chain()[0].getSubjectX500Principal().getName().substring(3));
    assertThrows(UsageException.class, () -> pinned.material(5));
  }
}
