package io.mxtls;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The nginx mTLS fixture (tests/pylib/mtls_fixture.py) as a child process, started once per JVM:
 * it prints one JSON line and stops nginx when its standard input closes (at JVM exit here).
 */
final class Fixture {
  static final Path REPO = findRepo();
  static final Path SCRIPT = REPO.resolve("tests/pylib/mtls_fixture.py");

  final Path dir;
  final Map<String, Object> json;
  private final Process process;

  private static Fixture shared;

  private Fixture(Path dir, Process process, Map<String, Object> json) {
    this.dir = dir;
    this.process = process;
    this.json = json;
  }

  private static Path findRepo() {
    String p = System.getProperty("mxtls.repo");
    if (p != null) return Path.of(p).toAbsolutePath();
    Path d = Path.of("").toAbsolutePath();
    for (Path x = d; x != null; x = x.getParent()) {
      if (Files.exists(x.resolve("tests/pylib/mtls_fixture.py"))) return x;
    }
    throw new IllegalStateException("cannot find the repository (set -Dmxtls.repo=...) from " + d);
  }

  static synchronized Fixture shared() throws IOException {
    if (shared == null) shared = start();
    return shared;
  }

  private static Fixture start() throws IOException {
    Path dir = Files.createTempDirectory("mxtls-java-fx-");
    ProcessBuilder pb = new ProcessBuilder("python3", SCRIPT.toString(), dir.toString());
    pb.redirectError(dir.resolve("fixture.err").toFile());
    Process proc = pb.start();
    BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    if (line == null) {
      String err = Files.exists(dir.resolve("fixture.err")) ? Files.readString(dir.resolve("fixture.err")) : "";
      throw new IOException("the fixture exited without its JSON line: " + err);
    }
    Fixture fx = new Fixture(dir, proc, MiniJson.object(line));
    java.lang.Runtime.getRuntime().addShutdownHook(new Thread(fx::stop));
    return fx;
  }

  void stop() {
    try {
      process.getOutputStream().close();
      if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
    } catch (IOException | InterruptedException e) {
      process.destroyForcibly();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
  }

  int port(String server) {
    return ((Long) MiniJson.obj(json, "ports").get(server)).intValue();
  }

  String url(String server, String host) {
    return "https://" + host + ":" + port(server) + "/";
  }

  Path serverCa() {
    return Path.of(MiniJson.str(json, "server_ca"));
  }

  Path clientCa() {
    return Path.of(MiniJson.str(json, "client_ca"));
  }

  String password() {
    return MiniJson.str(json, "password");
  }

  Map<String, Object> identity(String name) {
    return MiniJson.obj(MiniJson.obj(json, "identities"), name);
  }

  Path p12(String name) {
    return Path.of(MiniJson.str(identity(name), "p12"));
  }

  String subject(String name) {
    return MiniJson.str(identity(name), "subject");
  }

  /** The identity's leaf then the client CA, PEM. */
  Path chainPem(String name) {
    return Path.of(MiniJson.str(identity(name), "chain_pem"));
  }

  /** The identity's leaf alone, PEM. */
  Path certPem(String name) {
    return Path.of(MiniJson.str(identity(name), "cert_pem"));
  }

  /** The identity's private key, unencrypted PKCS#8 PEM as openssl genpkey wrote it. */
  Path keyPem(String name) {
    return Path.of(MiniJson.str(identity(name), "key_pem"));
  }

  Path legacyP12() {
    return Path.of(MiniJson.str(MiniJson.obj(json, "legacy"), "p12"));
  }

  String legacyPassword() {
    return MiniJson.str(MiniJson.obj(json, "legacy"), "password");
  }

  /**
   * A new identity from the fixture's client CA with openssl, as the fixture makes them
   * (a P-256 key, clientAuth), written as NAME.p12 under dir; the key files are removed.
   */
  static Path issue(Fixture fx, Path dir, String name, String cn, String password) throws IOException, InterruptedException {
    Path pki = fx.dir.resolve("pki");
    Path key = dir.resolve(name + ".key");
    Path csr = dir.resolve(name + ".csr");
    Path crt = dir.resolve(name + ".pem");
    Path ext = dir.resolve(name + ".ext");
    Path p12 = dir.resolve(name + ".p12");
    Files.writeString(ext, "extendedKeyUsage=clientAuth\n");
    try {
      run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
      run("openssl", "req", "-new", "-key", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + cn);
      run("openssl", "x509", "-req", "-in", csr.toString(), "-CA", pki.resolve("client-ca.pem").toString(),
          "-CAkey", pki.resolve("client-ca.key").toString(), "-CAcreateserial", "-days", "30",
          "-extfile", ext.toString(), "-out", crt.toString());
      run("openssl", "pkcs12", "-export", "-inkey", key.toString(), "-in", crt.toString(),
          "-certfile", pki.resolve("client-ca.pem").toString(), "-passout", "pass:" + password, "-out", p12.toString());
    } finally {
      for (Path p : List.of(key, csr, ext, crt)) Files.deleteIfExists(p);
    }
    return p12;
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) throw new IOException(String.join(" ", cmd) + ": " + out);
  }
}
