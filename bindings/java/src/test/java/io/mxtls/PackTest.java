package io.mxtls;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bundle, Key, Pkcs12Writer and Pack: .p12 files from PEM/DER/keystores, checked by real readers. */
class PackTest {
  static Fixture fx;
  /** Output password of every container written here; never in a message. */
  static final String OUT_PW = "pack out pw 8815";
  /** Password of the encrypted key made from the fixture's key. */
  static final String KEY_PW = "key pw 2741";

  @BeforeAll
  static void setUp() throws Exception {
    fx = Fixture.shared();
  }

  static byte[] leafSha(String name) {
    try (Pkcs12 p = Pkcs12.load(fx.p12(name), fx.password().toCharArray())) {
      return p.identities().get(0).sha256();
    }
  }

  /** openssl with a password in MXTLS_TEST_PW (never on the command line); stdout, or IOException. */
  static byte[] openssl(String password, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add("openssl");
    Collections.addAll(cmd, args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("MXTLS_TEST_PW", password);
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + ": exit " + p.exitValue());
    return out;
  }

  /** The fixture key as encrypted PKCS#8 (PBES2, AES-256-CBC) under KEY_PW, in memory only. */
  static byte[] encryptedKey(String name) throws Exception {
    byte[] pem = openssl(KEY_PW, "pkcs8", "-topk8", "-in", fx.keyPem(name).toString(), "-v2", "aes-256-cbc",
        "-passout", "env:MXTLS_TEST_PW");
    assertTrue(new String(pem, StandardCharsets.US_ASCII).contains("ENCRYPTED PRIVATE KEY"));
    return pem;
  }

  static KeyStore jdkKeyStore(byte[] p12, String password) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(new ByteArrayInputStream(p12), password.toCharArray());
    return ks;
  }

  static String subjectEchoed(Pkcs12 p12, String server) throws Exception {
    try (Trust ca = Trust.load(fx.serverCa());
         Config cfg = new Config().addIdentity(p12).addTrust(ca).systemRoots(false);
         Context ctx = cfg.build()) {
      Map<String, Object> a = Http.get(Http.client(ctx.sslContext()), fx.url(server, "localhost"));
      if (server.equals("verified")) assertEquals("SUCCESS", a.get("verify"), a.toString());
      return Http.subject(a);
    }
  }

  static void assertNoSecret(Throwable e, String... secrets) {
    for (String s : secrets) assertFalse(e.getMessage().contains(s), "a password in: " + e.getMessage());
  }

  @Test
  void packsTheFixtureChainAndKeyInEveryProfileAndNginxSeesTheLeaf() throws Exception {
    Map<Pkcs12Writer.Profile, String> mac = Map.of(Pkcs12Writer.Profile.MODERN, "HMAC-SHA256",
        Pkcs12Writer.Profile.COMPAT, "HMAC-SHA1", Pkcs12Writer.Profile.PBMAC1, "PBMAC1");
    for (Pkcs12Writer.Profile profile : Pkcs12Writer.Profile.values()) {
      String name = profile == Pkcs12Writer.Profile.COMPAT ? "bob" : "alice"; // RSA and EC
      char[] pw = OUT_PW.toCharArray();
      byte[] p12 = Pkcs12Writer.pack(List.of(fx.chainPem(name)), fx.keyPem(name), null, pw, profile);
      assertArrayEquals(OUT_PW.toCharArray(), pw, "the caller's array is not touched");
      try (Pkcs12 back = Pkcs12.load(p12, OUT_PW.toCharArray(), Pkcs12.Option.REQUIRE_MAC)) {
        assertEquals(1, back.identities().size(), profile.toString());
        Identity id = back.identities().get(0);
        assertArrayEquals(leafSha(name), id.sha256(), profile + ": the same leaf");
        assertEquals(1, id.chainInfo().size(), "the client CA travels along");
        assertEquals("CN=Fixture Client CA", id.chainInfo().get(0).subject());
        assertTrue(back.macAlgorithm().contains(mac.get(profile)), profile + ": " + back.macAlgorithm());
        if (profile == Pkcs12Writer.Profile.COMPAT) {
          assertTrue(back.encryptions().stream().allMatch(e -> e.contains("3DES") || e.contains("TripleDES")),
              back.encryptions().toString());
        } else {
          assertTrue(back.encryptions().stream().allMatch(e -> e.contains("AES-256-CBC")), back.encryptions().toString());
        }
        assertEquals(fx.subject(name), subjectEchoed(back, "verified"), profile + ": nginx verified and echoed the leaf");
      }
    }
  }

  @Test
  void theJdkPkcs12KeyStoreReadsModernAndCompatWithAWorkingKey() throws Exception {
    for (Pkcs12Writer.Profile profile : List.of(Pkcs12Writer.Profile.MODERN, Pkcs12Writer.Profile.COMPAT)) {
      for (String name : List.of("alice", "bob")) {
        byte[] p12 = new Pack().cert(Files.readAllBytes(fx.chainPem(name))).key(Files.readAllBytes(fx.keyPem(name)))
            .profile(profile).friendlyName("packed " + name + " cl\u00e9 \u2713").pack(OUT_PW.toCharArray());
        KeyStore ks = jdkKeyStore(p12, OUT_PW);
        List<String> aliases = Collections.list(ks.aliases());
        // UTF-8 whatever the platform charset (JNA's String would follow it: US-ASCII under LANG=C)
        assertEquals(List.of("packed " + name + " cl\u00e9 \u2713"), aliases, profile + " " + name);
        assertTrue(ks.isKeyEntry(aliases.get(0)));
        Certificate[] chain = ks.getCertificateChain(aliases.get(0));
        assertEquals(2, chain.length, "leaf and client CA");
        assertArrayEquals(leafSha(name), java.security.MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded()),
            profile + " " + name + ": the JDK's leaf is the fixture's");
        PrivateKey key = (PrivateKey) ks.getKey(aliases.get(0), OUT_PW.toCharArray());
        String alg = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        Signature s = Signature.getInstance(alg);
        s.initSign(key);
        s.update("pack".getBytes(StandardCharsets.US_ASCII));
        byte[] sig = s.sign();
        Signature v = Signature.getInstance(alg);
        v.initVerify(chain[0].getPublicKey());
        v.update("pack".getBytes(StandardCharsets.US_ASCII));
        assertTrue(v.verify(sig), profile + " " + name + ": the JDK's key signs for the leaf");
      }
    }
    if (java.lang.Runtime.version().feature() == 17) {
      // As observed with OpenJDK 17, and as the header says of readers without RFC 9579.
      byte[] pbmac1 = Pkcs12Writer.pack(List.of(fx.chainPem("bob")), fx.keyPem("bob"), null, OUT_PW.toCharArray(),
          Pkcs12Writer.Profile.PBMAC1);
      IOException e = assertThrows(IOException.class, () -> jdkKeyStore(pbmac1, OUT_PW));
      assertTrue(e.getMessage().contains("Integrity check failed"), e.getMessage());
    }
  }

  @Test
  void reEncryptsTheLegacyRc2VectorInTheModernProfile() throws Exception {
    byte[] p12;
    byte[] legacyLeaf;
    X500Principal legacySubject;
    try (Pkcs12 legacy = Pkcs12.load(fx.legacyP12(), fx.legacyPassword().toCharArray());
         Pkcs12Writer w = new Pkcs12Writer(Pkcs12Writer.Profile.MODERN)) {
      assertTrue(legacy.encryptions().stream().anyMatch(e -> e.contains("RC2")), legacy.encryptions().toString());
      legacyLeaf = legacy.identities().get(0).sha256();
      legacySubject = legacy.identities().get(0).chain().get(0).getSubjectX500Principal();
      w.addIdentity(legacy, 0);
      for (CertificateInfo c : legacy.extraCertificates()) w.addCertificate(c);
      p12 = w.finish(OUT_PW.toCharArray());
    }
    // MANIFEST.tsv's leaf_sha256 for pyca__cert-rc2-key-3des.p12
    assertEquals("432db726d36f427f569a5f90b0043c38717abd7d48f42214a93f948350d0529e", HexFormat.of().formatHex(legacyLeaf));
    try (Pkcs12 back = Pkcs12.load(p12, OUT_PW.toCharArray(), Pkcs12.Option.REQUIRE_MAC)) {
      assertArrayEquals(legacyLeaf, back.identities().get(0).sha256());
      assertTrue(back.encryptions().stream().allMatch(e -> e.contains("AES-256-CBC")), back.encryptions().toString());
      assertTrue(back.warnings().stream().noneMatch(x -> x.kind().equals("legacy_algorithm")), back.warnings().toString());
      assertEquals(legacySubject, new X500Principal(subjectEchoed(back, "any")), "nginx echoes the re-encrypted identity");
    }
    KeyStore ks = jdkKeyStore(p12, OUT_PW);
    assertEquals(1, ks.size());
    String alias = ks.aliases().nextElement();
    assertArrayEquals(legacyLeaf, java.security.MessageDigest.getInstance("SHA-256").digest(ks.getCertificate(alias).getEncoded()));
    assertNotNull(ks.getKey(alias, OUT_PW.toCharArray()));
    // OpenSSL 3 without its legacy provider (what Python's ssl and Node use) refuses the original
    // and reads the re-encrypted file.
    assertThrows(IOException.class, () -> openssl(fx.legacyPassword(), "pkcs12", "-in", fx.legacyP12().toString(),
        "-passin", "env:MXTLS_TEST_PW", "-noout"));
    Path out = Files.createTempFile("mxtls-java-reenc-", ".p12");
    try {
      Files.write(out, p12);
      openssl(OUT_PW, "pkcs12", "-in", out.toString(), "-passin", "env:MXTLS_TEST_PW", "-noout");
    } finally {
      Files.delete(out);
    }
  }

  @Test
  void bundleListsCertificatesKeysChainsAndWarnings() throws Exception {
    byte[] pub = openssl("", "pkey", "-in", fx.keyPem("bob").toString(), "-pubout");
    byte[] chainAndPub = concat(Files.readAllBytes(fx.chainPem("alice")), pub);
    try (Bundle b = new Bundle(); Pkcs12 bobP12 = Pkcs12.load(fx.p12("bob"), fx.password().toCharArray())) {
      b.add(chainAndPub, "chain+pub.pem", (char[]) null).add(fx.keyPem("alice")).add(encryptedKey("bob"), "bob.key", KEY_PW.toCharArray());
      List<CertificateInfo> certs = b.certificates();
      assertEquals(List.of(fx.subject("alice"), "CN=Fixture Client CA"), certs.stream().map(CertificateInfo::subject).toList());
      b.add(fx.chainPem("alice")); // the same certificates again: kept once
      assertEquals(2, b.certificates().size());
      assertTrue(b.warnings().stream().anyMatch(w -> w.kind().equals("skipped_entry") && w.message().contains("chain+pub.pem")),
          b.warnings().toString());

      List<Key> keys = b.keys();
      assertEquals(2, keys.size());
      Key alice = keys.get(0);
      Key bob = keys.get(1);
      assertEquals(KeyType.RSA, alice.kind());
      assertEquals(2048, alice.bits());
      assertTrue(alice.curve().isEmpty());
      assertTrue(alice.alias().isEmpty());
      assertTrue(alice.source().contains(fx.keyPem("alice").getFileName().toString()), alice.source());
      assertEquals(KeyType.EC, bob.kind());
      assertEquals(256, bob.bits());
      assertEquals("P-256", bob.curve().orElseThrow());
      assertTrue(bob.source().startsWith("bob.key"), bob.source());
      assertTrue(bob.form().contains("PBES2") && bob.form().contains("AES-256-CBC"), bob.form());
      assertEquals(1, b.key(1).index());
      assertThrows(UsageException.class, () -> b.key(2));

      assertTrue(alice.matches(certs.get(0)));
      assertFalse(alice.matches(certs.get(1)));
      assertFalse(bob.matches(certs.get(0)));
      assertTrue(bob.matches(bobP12.identities().get(0).leaf()), "a certificate from elsewhere");
      assertFalse(alice.matches(bobP12.identities().get(0).leaf()));

      Bundle.Chain chain = b.chain(alice.index());
      assertTrue(chain.complete(), "ends in the self-signed client CA");
      assertArrayEquals(leafSha("alice"), chain.leaf().sha256());
      assertEquals(List.of(fx.subject("alice"), "CN=Fixture Client CA"),
          chain.certificates().stream().map(CertificateInfo::subject).toList());
      KeyMismatchException e = assertThrows(KeyMismatchException.class, () -> b.chain(bob.index()));
      assertEquals("key_mismatch", e.code());
      assertThrows(UsageException.class, () -> b.chain(5));
    }
    try (Bundle leafOnly = new Bundle().add(fx.certPem("bob")).add(fx.keyPem("bob"))) {
      Bundle.Chain c = leafOnly.chain(0);
      assertFalse(c.complete(), "the client CA was not given");
      assertEquals(1, c.certificates().size());
    }
    try (Bundle empty = new Bundle().add(fx.keyPem("bob"))) {
      assertThrows(NoCertificateException.class, () -> empty.chain(0));
    }
  }

  @Test
  void aJavaKeystoreEntryBecomesAPkcs12Identity(@TempDir Path dir) throws Exception {
    Path jks = dir.resolve("store.jks");
    String storePw = "store pw 3391";
    ProcessBuilder p = new ProcessBuilder("keytool", "-importkeystore", "-noprompt", "-srckeystore", fx.p12("bob").toString(),
        "-srcstoretype", "PKCS12", "-srcstorepass:env", "SRC_PW", "-destkeystore", jks.toString(), "-deststoretype", "JKS",
        "-deststorepass:env", "DST_PW", "-destalias", "client", "-srcalias", "1")
        .redirectErrorStream(true);
    p.environment().put("SRC_PW", fx.password());
    p.environment().put("DST_PW", storePw);
    Process kt = p.start();
    String out = new String(kt.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, kt.waitFor(), "keytool: " + out);

    byte[] p12;
    // keytool keeps the source's key password for the entry: the key password differs from the store's
    try (Bundle wrongKeyPw = new Bundle()) {
      WrongPasswordException e = assertThrows(WrongPasswordException.class,
          () -> wrongKeyPw.addKeystore(jks, storePw.toCharArray(), null), "null: the store password");
      assertTrue(e.getMessage().contains("alias \"client\""), e.getMessage());
      assertNoSecret(e, storePw, fx.password());
    }
    try (Bundle b = new Bundle().addKeystore(jks, storePw.toCharArray(), fx.password().toCharArray());
         Pkcs12Writer w = new Pkcs12Writer().iterations(4096)) {
      Key k = b.keys().get(0);
      assertEquals("client", k.alias().orElseThrow());
      assertTrue(k.source().contains("alias \"client\""), k.source());
      assertTrue(k.form().startsWith("JKS"), k.form());
      assertTrue(b.chain(0).complete());
      p12 = w.addKey(k, k.alias().get()).finish(OUT_PW.getBytes(StandardCharsets.UTF_8));
    }
    try (Pkcs12 back = Pkcs12.load(p12, OUT_PW.toCharArray())) {
      assertArrayEquals(leafSha("bob"), back.identities().get(0).sha256());
      assertEquals("client", back.identities().get(0).friendlyName().orElseThrow());
      assertTrue(back.macAlgorithm().contains("4096"), back.macAlgorithm());
    }
    try (Bundle b = new Bundle()) {
      byte[] bytes = Files.readAllBytes(jks);
      WrongPasswordException e = assertThrows(WrongPasswordException.class,
          () -> b.addKeystore(bytes, "store.jks", "wrong store 5521".toCharArray(), null));
      assertNoSecret(e, "wrong store 5521", "5521", storePw);
      assertTrue(e.getMessage().contains("store.jks"), e.getMessage());
      assertTrue(b.keys().isEmpty(), "the bundle is as it was");
    }
  }

  @Test
  void anEncryptedKeyWithItsPasswordPacksAndWithAWrongOneIsWrongPassword() throws Exception {
    byte[] key = encryptedKey("alice");
    char[] keyPw = KEY_PW.toCharArray();
    byte[] p12 = new Pack().cert(fx.chainPem("alice")).key(key, keyPw).pack(OUT_PW.toCharArray());
    assertArrayEquals(KEY_PW.toCharArray(), keyPw, "the caller's array is not touched");
    try (Pkcs12 back = Pkcs12.load(p12, OUT_PW.toCharArray())) {
      assertArrayEquals(leafSha("alice"), back.identities().get(0).sha256());
    }
    String wrong = "not the key pw 6604";
    WrongPasswordException e = assertThrows(WrongPasswordException.class,
        () -> new Pack().cert(fx.chainPem("alice")).key(key, wrong.toCharArray()).pack(OUT_PW.toCharArray()));
    assertEquals("wrong_password", e.code());
    assertTrue(e.getMessage().startsWith("key"), "names the input: " + e.getMessage());
    assertNoSecret(e, wrong, "6604", KEY_PW, OUT_PW);
    assertThrows(WrongPasswordException.class,
        () -> new Pack().cert(fx.chainPem("alice")).key(key).pack(OUT_PW.toCharArray()), "no password for an encrypted key");
  }

  @Test
  void alicesCertificateWithBobsKeyIsKeyMismatch() throws Exception {
    KeyMismatchException e = assertThrows(KeyMismatchException.class,
        () -> Pkcs12Writer.pack(List.of(fx.chainPem("alice")), fx.keyPem("bob"), null, OUT_PW.toCharArray(),
            Pkcs12Writer.Profile.MODERN));
    assertEquals("key_mismatch", e.code());
    assertNoSecret(e, OUT_PW);
    try (Bundle b = new Bundle().add(fx.certPem("alice")).add(fx.keyPem("bob"));
         Pkcs12Writer w = new Pkcs12Writer()) {
      assertThrows(KeyMismatchException.class, () -> w.addKey(b.keys().get(0)));
      NoKeyException none = assertThrows(NoKeyException.class, () -> w.finish(OUT_PW.toCharArray()));
      assertNoSecret(none, OUT_PW);
    }
  }

  @Test
  void truncatedInputsAreCorrupt(@TempDir Path dir) throws Exception {
    byte[] der;
    try (Pkcs12 alice = Pkcs12.load(fx.p12("alice"), fx.password().toCharArray())) {
      der = alice.identities().get(0).leaf().der();
    }
    Path cut = dir.resolve("leaf-cut.der");
    Files.write(cut, Arrays.copyOf(der, der.length / 2));
    CorruptException e = assertThrows(CorruptException.class,
        () -> Pkcs12Writer.pack(List.of(cut), fx.keyPem("alice"), KEY_PW.toCharArray(), OUT_PW.toCharArray(),
            Pkcs12Writer.Profile.MODERN));
    assertEquals("corrupt", e.code());
    assertTrue(e.getMessage().contains("leaf-cut.der"), "names the file: " + e.getMessage());
    assertNoSecret(e, KEY_PW, OUT_PW);

    byte[] enc = encryptedKey("bob");
    byte[] cutKey = Arrays.copyOf(enc, enc.length * 2 / 3);
    try (Bundle b = new Bundle()) {
      CorruptException k = assertThrows(CorruptException.class, () -> b.add(cutKey, "bob-cut.key", KEY_PW.toCharArray()));
      assertTrue(k.getMessage().startsWith("bob-cut.key"), k.getMessage());
      assertNoSecret(k, KEY_PW);
      assertTrue(b.keys().isEmpty() && b.certificates().isEmpty(), "the bundle is as it was");
    }
    try (Pkcs12Writer w = new Pkcs12Writer()) {
      assertThrows(CorruptException.class, () -> w.addCertificate(Arrays.copyOf(der, 40)));
    }
    byte[] p12 = Files.readAllBytes(fx.p12("alice"));
    assertThrows(CorruptException.class, () -> Pkcs12.load(Arrays.copyOf(p12, p12.length - 100), fx.password().toCharArray()));
  }

  @Test
  void usageErrors() throws Exception {
    try (Pkcs12Writer w = new Pkcs12Writer(Pkcs12Writer.Profile.COMPAT)) {
      assertEquals(Pkcs12Writer.Profile.COMPAT, w.profile());
      assertEquals("compat", w.profile().toString());
      assertThrows(UsageException.class, () -> w.iterations(1000), "below the default 2048");
      assertThrows(LimitExceededException.class, () -> w.iterations((int) Mxtls.constant("MXTLS_MAX_KDF_ITERATIONS") + 1));
      assertThrows(IllegalArgumentException.class, () -> w.iterations(-1));
      try (Pkcs12 alice = Pkcs12.load(fx.p12("alice"), fx.password().toCharArray())) {
        w.addIdentity(alice, 0, "alice");
        assertThrows(UsageException.class, () -> w.addIdentity(alice, 0), "already added");
        assertThrows(UsageException.class, () -> w.addIdentity(alice, 3));
      }
      UsageException nul = assertThrows(UsageException.class, () -> w.finish("out\0pw".toCharArray()));
      assertNoSecret(nul, "out");
      byte[] p12 = w.finish(new char[0]);
      try (Pkcs12 back = Pkcs12.load(p12, (char[]) null)) {
        assertEquals("alice", back.identities().get(0).friendlyName().orElseThrow(), "the empty password, explicitly");
      }
    }
    assertThrows(IllegalStateException.class, () -> new Pack().key(fx.keyPem("alice")).pack(OUT_PW.toCharArray()));
    UsageException two = assertThrows(UsageException.class, () -> new Pack().cert(fx.chainPem("alice"))
        .key(concat(Files.readAllBytes(fx.keyPem("alice")), Files.readAllBytes(fx.keyPem("bob")))).pack(OUT_PW.toCharArray()));
    assertTrue(two.getMessage().contains("2 private keys"), two.getMessage());
    try (Bundle b = new Bundle()) {
      UsageException p12 = assertThrows(UsageException.class, () -> b.add(fx.p12("alice"), fx.password().toCharArray()));
      assertTrue(p12.getMessage().contains("alice.p12"), p12.getMessage());
    }
  }

  @Test
  void closedTwiceIsFineAndUseAfterCloseIsAUsageError() throws Exception {
    Bundle b = new Bundle().add(fx.chainPem("bob")).add(fx.keyPem("bob"));
    Key k = b.keys().get(0);
    CertificateInfo leaf = b.certificates().get(0);
    Pkcs12Writer w = new Pkcs12Writer();
    Pkcs12 alice = Pkcs12.load(fx.p12("alice"), fx.password().toCharArray());
    b.close();
    b.close();
    assertTrue(b.isClosed());
    assertEquals("Bundle[closed]", b.toString());
    assertEquals(256, k.bits(), "descriptions are copies");
    for (org.junit.jupiter.api.function.Executable x : List.<org.junit.jupiter.api.function.Executable>of(
        () -> b.add(fx.certPem("bob")), b::certificates, b::keys, b::warnings, () -> b.chain(0), () -> k.matches(leaf),
        () -> b.addKeystore(new byte[4], null, (char[]) null, null), () -> w.addKey(k))) {
      UsageException e = assertThrows(UsageException.class, x);
      assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
    alice.close();
    assertThrows(UsageException.class, () -> w.addIdentity(alice, 0));
    w.close();
    w.close();
    assertTrue(w.isClosed());
    UsageException e = assertThrows(UsageException.class, () -> w.finish(OUT_PW.toCharArray()));
    assertTrue(e.getMessage().contains("PKCS#12 writer is closed"), e.getMessage());
    assertThrows(UsageException.class, () -> w.iterations(4096));
    assertThrows(UsageException.class, () -> w.addCertificate(leaf));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
