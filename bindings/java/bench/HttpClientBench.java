/*
 * java.net.http.HttpClient through the mxtls binding vs the same client given the JDK's own
 * PKCS12 KeyStore (KeyManagerFactory over alice.p12, TrustManagerFactory over the system
 * cacerts plus the fixture's server CA), against the fixture's nginx. Not a test: prints req/s
 * and ratios (binding / JDK; > 1 means the binding is faster).
 *
 *   MXTLS_LIBRARY=build/libmxtls.so.0 java -cp build/java/mxtls.jar:/usr/share/java/jna.jar \
 *     bindings/java/bench/HttpClientBench.java [N_NEW] [N_KEEPALIVE]
 *
 * Both variants run in one JVM, interleaved in batches (machine noise hits both alike), after a
 * warm-up. "new connection" sends Connection: close (jdk.httpclient.allowRestrictedHeaders), so
 * every request makes a new TLS connection (resumed from the JDK session cache on both sides).
 * Start-up (load to first response) is measured in fresh JVMs, alternating, median of 5.
 */
import io.mxtls.Config;
import io.mxtls.Context;
import io.mxtls.Pkcs12;
import io.mxtls.Trust;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

public class HttpClientBench {
  static String field(String json, String regex) {
    Matcher m = Pattern.compile(regex).matcher(json);
    if (!m.find()) throw new IllegalStateException("fixture JSON lacks " + regex);
    return m.group(1);
  }

  static SSLContext viaBinding(Path p12, String password, Path serverCa) {
    try (Pkcs12 alice = Pkcs12.load(p12, password.toCharArray());
         Trust ca = Trust.load(serverCa);
         Config cfg = new Config().addIdentity(alice).addTrust(ca);
         Context ctx = cfg.build()) {
      return ctx.sslContext();
    }
  }

  /** The usual way: PKCS12 KeyStore, KeyManagerFactory, cacerts + the server CA. */
  static SSLContext viaJdk(Path p12, String password, Path serverCa) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      ks.load(in, password.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, password.toCharArray());
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    Path cacerts = Path.of(System.getProperty("java.home"), "lib", "security", "cacerts");
    try (InputStream in = Files.newInputStream(cacerts)) {
      trust.load(in, null);
    }
    try (InputStream in = Files.newInputStream(serverCa)) {
      trust.setCertificateEntry("fixture-server-ca", (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ssl;
  }

  static HttpClient client(SSLContext ssl) {
    return HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1).build();
  }

  static void get(HttpClient c, HttpRequest r) throws Exception {
    HttpResponse<String> resp = c.send(r, HttpResponse.BodyHandlers.ofString());
    if (resp.statusCode() != 200 || !resp.body().contains("alice")) throw new IllegalStateException("bad answer: " + resp.body());
  }

  /**
   * Seconds spent by each variant over n requests, interleaved in batches, and (index 2) the
   * median over batch pairs of (time b / time a): robust to bursts of load from other programs.
   */
  static double[] race(HttpClient a, HttpClient b, HttpRequest r, int n, int batch) throws Exception {
    double[] t = new double[3];
    List<Double> ratios = new ArrayList<>();
    for (int done = 0; done < n; done += batch) {
      int k = Math.min(batch, n - done);
      double[] pair = new double[2];
      for (int v = 0; v < 2; v++) {
        HttpClient c = ((done / batch) % 2 == 0) == (v == 0) ? a : b; // alternate who goes first
        int who = c == a ? 0 : 1;
        long t0 = System.nanoTime();
        for (int i = 0; i < k; i++) get(c, r);
        pair[who] = (System.nanoTime() - t0) / 1e9;
        t[who] += pair[who];
      }
      ratios.add(pair[1] / pair[0]);
    }
    t[2] = median(ratios);
    return t;
  }

  public static void main(String[] args) throws Exception {
    if (args.length >= 1 && args[0].equals("--startup")) {
      startup(args);
      return;
    }
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "connection");
    int nNew = args.length > 0 ? Integer.parseInt(args[0]) : 400;
    int nKeep = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
    Path repo = Path.of("").toAbsolutePath();
    while (!Files.exists(repo.resolve("tests/pylib/mtls_fixture.py"))) repo = repo.getParent();
    Path dir = Files.createTempDirectory("mxtls-java-bench-");
    Process fx = new ProcessBuilder("python3", repo.resolve("tests/pylib/mtls_fixture.py").toString(), dir.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      String json = new BufferedReader(new InputStreamReader(fx.getInputStream())).readLine();
      int port = Integer.parseInt(field(json, "\"verified\": (\\d+)"));
      Path p12 = Path.of(field(json, "\"alice\": \\{\"p12\": \"([^\"]+)\""));
      String password = field(json, "\"password\": \"([^\"]+)\"");
      Path serverCa = Path.of(field(json, "\"server_ca\": \"([^\"]+)\""));
      String url = "https://localhost:" + port + "/";

      HttpClient mx = client(viaBinding(p12, password, serverCa));
      HttpClient jdk = client(viaJdk(p12, password, serverCa));
      HttpRequest close = HttpRequest.newBuilder(URI.create(url)).header("Connection", "close").build();
      HttpRequest keep = HttpRequest.newBuilder(URI.create(url)).build();
      HttpClient jdk2 = client(viaJdk(p12, password, serverCa)); // for the noise floor
      race(mx, jdk, close, 200, 20); // warm-up: JIT, session caches, pooled connections
      race(mx, jdk, keep, 1000, 100);
      race(jdk2, jdk, close, 100, 20);

      System.out.printf("%-28s %12s %12s %8s %13s%n", "variant", "mxtls req/s", "JDK req/s", "ratio", "median ratio");
      double[] n = race(mx, jdk, close, nNew, 10);
      System.out.printf("%-28s %12.0f %12.0f %7.2fx %12.2fx%n", "new connection per request", nNew / n[0], nNew / n[1], n[1] / n[0], n[2]);
      double[] k = race(mx, jdk, keep, nKeep, 50);
      System.out.printf("%-28s %12.0f %12.0f %7.2fx %12.2fx%n", "keep-alive", nKeep / k[0], nKeep / k[1], k[1] / k[0], k[2]);
      double[] noise = race(jdk2, jdk, close, nNew, 10);
      System.out.printf("%-28s %12s %12s %7.2fx %12.2fx%n", "noise floor (JDK vs JDK)", "", "", noise[1] / noise[0], noise[2]);

      // start-up in fresh JVMs: load material, build the SSLContext and client, first response
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      String src = repo.resolve("bindings/java/bench/HttpClientBench.java").toString();
      List<Double> sm = new ArrayList<>();
      List<Double> sj = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        for (String v : (i % 2 == 0 ? List.of("mxtls", "jdk") : List.of("jdk", "mxtls"))) {
          Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), src, "--startup", v, url,
              p12.toString(), password, serverCa.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
          double ms = Double.parseDouble(new String(p.getInputStream().readAllBytes()).trim());
          p.waitFor();
          (v.equals("mxtls") ? sm : sj).add(ms);
        }
      }
      double mm = median(sm);
      double mj = median(sj);
      System.out.printf("%-28s %10.0f ms %10.0f ms %7.2fx%n", "start-up (load to 1st resp.)", mm, mj, mj / mm);
    } finally {
      fx.getOutputStream().close();
      fx.waitFor();
      try (var files = Files.walk(dir)) { // the fixture's PKI holds private keys
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  static double median(List<Double> l) {
    double[] a = l.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a[a.length / 2];
  }

  /** In a fresh JVM: prints milliseconds from loading the material to the first response. */
  static void startup(String[] a) throws Exception {
    long t0 = System.nanoTime();
    SSLContext ssl = a[1].equals("mxtls") ? viaBinding(Path.of(a[3]), a[4], Path.of(a[5])) : viaJdk(Path.of(a[3]), a[4], Path.of(a[5]));
    get(client(ssl), HttpRequest.newBuilder(URI.create(a[2])).build());
    System.out.println((System.nanoTime() - t0) / 1e6);
  }
}
