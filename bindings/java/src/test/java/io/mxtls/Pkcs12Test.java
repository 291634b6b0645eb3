package io.mxtls;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Pkcs12Test {
  @Test
  void loadFromPathAndBytesWithIdentitiesAndProtection() throws Exception {
    Fixture fx = Fixture.shared();
    char[] pw = fx.password().toCharArray();
    try (Pkcs12 alice = Pkcs12.load(fx.p12("alice"), pw);
         Pkcs12 bob = Pkcs12.load(Files.readAllBytes(fx.p12("bob")), fx.password().getBytes(StandardCharsets.UTF_8))) {
      assertArrayEquals(fx.password().toCharArray(), pw, "the caller's array is not touched");
      Identity a = alice.identities().get(0);
      assertEquals(1, alice.identities().size());
      assertEquals(fx.subject("alice"), a.subject());
      assertEquals("CN=Fixture Client CA", a.issuer());
      assertEquals(KeyType.RSA, a.keyType());
      assertEquals(2048, a.keyBits());
      assertTrue(a.curve().isEmpty());
      assertTrue(a.notBefore().isBefore(Instant.now().plusSeconds(60)) && a.notAfter().isAfter(Instant.now()));
      List<X509Certificate> chain = a.chain();
      assertEquals(2, chain.size(), "leaf + client CA");
      assertEquals(a.notAfter(), chain.get(0).getNotAfter().toInstant());
      assertEquals(chain.get(0).getIssuerX500Principal(), chain.get(1).getSubjectX500Principal());
      assertArrayEquals(java.security.MessageDigest.getInstance("SHA-256").digest(chain.get(0).getEncoded()), a.sha256());
      assertTrue(a.chainInfo().get(0).isCa());
      assertTrue(alice.macAlgorithm().contains("SHA256"), alice.macAlgorithm());
      assertTrue(alice.encryptions().stream().allMatch(e -> e.contains("AES-256-CBC")), alice.encryptions().toString());

      Identity b = bob.identities().get(0);
      assertEquals(fx.subject("bob"), b.subject());
      assertEquals(KeyType.EC, b.keyType());
      assertEquals(256, b.keyBits());
      assertEquals("P-256", b.curve().orElseThrow());
    }
  }

  @Test
  void closedContainerIsAUsageError() throws Exception {
    Fixture fx = Fixture.shared();
    Pkcs12 alice = Pkcs12.load(fx.p12("alice"), fx.password().toCharArray());
    alice.close();
    alice.close(); // idempotent
    assertTrue(alice.isClosed());
    assertEquals(fx.subject("alice"), alice.identities().get(0).subject(), "copies outlive the container");
    try (Config cfg = new Config()) {
      UsageException e = assertThrows(UsageException.class, () -> cfg.addIdentity(alice));
      assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
  }

  @Test
  void wrongPasswordNamesNoPassword() throws Exception {
    Fixture fx = Fixture.shared();
    String secret = "wrong secret 4711";
    WrongPasswordException e = assertThrows(WrongPasswordException.class,
        () -> Pkcs12.load(fx.p12("alice"), secret.toCharArray()));
    assertEquals("wrong_password", e.code());
    assertEquals(Mxtls.constant("MXTLS_ERR_WRONG_PASSWORD"), e.errno());
    assertFalse(e.getMessage().contains(secret) || e.getMessage().contains("4711"), e.getMessage());
    assertTrue(e.getMessage().contains("alice.p12"), "names the file: " + e.getMessage());
    WrongPasswordException fromBytes = assertThrows(WrongPasswordException.class,
        () -> Pkcs12.load(Files.readAllBytes(fx.p12("alice")), secret.getBytes(StandardCharsets.UTF_8)));
    assertFalse(fromBytes.getMessage().contains(secret), fromBytes.getMessage());
    IoException io = assertThrows(IoException.class, () -> Pkcs12.load(Path.of("/nonexistent.p12"), "x".toCharArray()));
    assertTrue(io.getMessage().contains("nonexistent.p12"), io.getMessage());
    assertThrows(CorruptException.class, () -> Pkcs12.load("not a p12".getBytes(StandardCharsets.UTF_8), (char[]) null));
    UsageException nul = assertThrows(UsageException.class,
        () -> Pkcs12.load(fx.p12("alice"), "fixture\0pw".getBytes(StandardCharsets.UTF_8)));
    assertFalse(nul.getMessage().contains("fixture"), nul.getMessage());
  }

  @Test
  void readPasswordFileFollowsTheRuntimeRule(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("pw");
    Files.writeString(f, "fixture pw\r\n");
    byte[] pw = Pkcs12.readPasswordFile(f);
    try {
      assertEquals("fixture pw", new String(pw, StandardCharsets.UTF_8));
      try (Pkcs12 p = Pkcs12.load(Fixture.shared().p12("alice"), pw)) {
        assertEquals(1, p.identities().size());
      }
    } finally {
      Arrays.fill(pw, (byte) 0);
    }
    assertThrows(IoException.class, () -> Pkcs12.readPasswordFile(dir));
  }

  @Test
  void legacyRc2VectorLoadsAndTheJdkKeyStoreReadsItToo() throws Exception {
    Fixture fx = Fixture.shared();
    try (Pkcs12 p = Pkcs12.load(fx.legacyP12(), fx.legacyPassword().toCharArray())) {
      assertTrue(p.warnings().stream().anyMatch(w -> w.kind().equals("legacy_algorithm") && w.message().contains("RC2")),
          p.warnings().toString());
      assertTrue(p.encryptions().stream().anyMatch(e -> e.contains("RC2")), p.encryptions().toString());
    }
    // What the JDK's own PKCS12 KeyStore does with the same file (asserted as observed).
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(fx.legacyP12())) {
      ks.load(in, fx.legacyPassword().toCharArray());
    }
    assertEquals(1, ks.size(), "OpenJDK 17 reads RC2-40/3DES/SHA-1 PKCS#12 (unlike OpenSSL 3 without its legacy provider)");
  }

  @Test
  void trustFromBytesPathAndSystem() throws Exception {
    Fixture fx = Fixture.shared();
    try (Trust t = Trust.load(fx.serverCa()); Trust m = Trust.load(Files.readAllBytes(fx.serverCa())); Trust s = Trust.system()) {
      assertEquals(1, t.count());
      assertEquals("CN=Fixture Server CA", t.certificates().get(0).subject());
      assertEquals(fx.serverCa().toString(), t.source());
      assertEquals("memory", m.source());
      assertTrue(s.count() > 50, "system roots: " + s.count());
    }
    assertThrows(EmptyException.class, () -> Trust.load("text\n-----BEGIN X-----\n-----END X-----\n".getBytes(StandardCharsets.UTF_8)));
    assertThrows(CorruptException.class, () -> Trust.load("no certificate here".getBytes(StandardCharsets.UTF_8)));
  }
}
