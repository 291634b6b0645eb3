package io.mxtls;

import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The binding's key-handling paths, run by {@link NoKeyOnDiskTest} in a child JVM with a private
 * TMPDIR and working directory (and under strace when available). Arguments: alice.p12 password
 * server-ca.pem secrets-dir bob.p12 rotated.p12 url-localhost url-127.0.0.1. Prints the subjects.
 */
public final class KeyWorkload {
  public static void main(String[] a) throws Exception {
    Path alice = Path.of(a[0]);
    String password = a[1];
    Path serverCa = Path.of(a[2]);
    Path secrets = Path.of(a[3]);
    List<String> subjects = new ArrayList<>();
    try (Pkcs12 p12 = Pkcs12.load(alice, password.toCharArray());
         Trust ca = Trust.load(serverCa);
         Config cfg = new Config().addIdentity(p12).addTrust(ca);
         Context ctx = cfg.build()) {
      subjects.add(Http.subject(Http.get(Http.client(ctx.sslContext()), a[6])));
    }
    Files.copy(Path.of(a[4]), secrets.resolve("client.p12"), StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(secrets.resolve("password"), password);
    Map<String, String> env = Map.of("MXTLS_CLIENT_CERTIFICATE_FILE", secrets.resolve("client.p12").toString(),
        "MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE", secrets.resolve("password").toString(),
        "MXTLS_CERTIFICATE_AUTHORITIES_FILE", serverCa.toString());
    try (Runtime rt = Runtime.start(env, true)) {
      HttpClient c = Http.client(rt.sslContext());
      subjects.add(Http.subject(Http.get(c, a[6])));
      Files.copy(Path.of(a[5]), secrets.resolve("next.p12"), StandardCopyOption.REPLACE_EXISTING);
      Files.move(secrets.resolve("next.p12"), secrets.resolve("client.p12"), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      long deadline = System.nanoTime() + 15_000_000_000L;
      while (rt.generation() < 2 && System.nanoTime() < deadline) Thread.sleep(50);
      subjects.add(Http.subject(Http.get(c, a[7])));
    }
    System.out.println(String.join("|", subjects));
  }
}
