package io.mxtls;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing holding key material is written. The binding's key paths (load, context, SSLContext,
 * handshakes, a runtime and a rotation: {@link KeyWorkload}) run in a child JVM with a private
 * TMPDIR / java.io.tmpdir and working directory, which are scanned strictly. The shared
 * directories (/tmp, $TMPDIR, this JVM's cwd) are snapshotted before and after; other programs
 * on this machine write there too, so with strace a new file counts only if the traced process
 * tree wrote it, and without strace only files outside mtls_fixture.py PKIs count.
 */
class NoKeyOnDiskTest {
  static Map<Path, String> snapshot(List<Path> roots) {
    Map<Path, String> out = new HashMap<>();
    for (Path root : roots) {
      if (!Files.isDirectory(root)) continue;
      try (Stream<Path> s = Files.walk(root, 6)) {
        s.forEach(p -> {
          try {
            if (Files.isRegularFile(p)) out.put(p, Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis());
          } catch (IOException gone) {
            // removed meanwhile
          }
        });
      } catch (IOException | java.io.UncheckedIOException unreadable) {
        // a directory that vanished or cannot be listed
      }
    }
    return out;
  }

  static boolean holdsKey(Path p) {
    try {
      return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains("PRIVATE KEY");
    } catch (IOException gone) {
      return false;
    }
  }

  /** New or changed files holding a key since before. */
  static List<Path> keyFiles(Map<Path, String> before, List<Path> roots) {
    List<Path> hits = new ArrayList<>();
    for (Map.Entry<Path, String> e : snapshot(roots).entrySet()) {
      if (!e.getValue().equals(before.get(e.getKey())) && holdsKey(e.getKey())) hits.add(e.getKey());
    }
    return hits;
  }

  static boolean isFixtureFile(Path p) {
    for (Path d = p.getParent(); d != null; d = d.getParent()) {
      if (Files.exists(d.resolve("nginx.conf")) && Files.isDirectory(d.resolve("pki"))) return true;
    }
    return false;
  }

  static boolean hasStrace() {
    try {
      Process p = new ProcessBuilder("strace", "-V").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  @Test
  void noFileWithKeyMaterialIsWritten(@TempDir Path priv, @TempDir Path issuing) throws Exception {
    Fixture fx = Fixture.shared();
    Path tmpdir = Files.createDirectory(priv.resolve("tmp"));
    Path cwd = Files.createDirectory(priv.resolve("cwd"));
    Path secrets = Files.createDirectory(priv.resolve("secrets"));

    // positive control: the scan finds such a file
    Path probe = cwd.resolve("probe.pem");
    Files.writeString(probe, "-----BEGIN PRIVATE KEY-----\n");
    assertEquals(List.of(probe), keyFiles(Map.of(), List.of(cwd)));
    Files.delete(probe);

    Path rotated = Fixture.issue(fx, issuing, "erin", "erin.fixture.test", fx.password());
    List<Path> shared = new ArrayList<>(new HashSet<>(List.of(Path.of("/tmp"),
        Path.of(System.getenv().getOrDefault("TMPDIR", "/tmp")), Path.of("").toAbsolutePath())));
    Map<Path, String> before = snapshot(shared);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Djava.io.tmpdir=" + tmpdir,
        "-cp", System.getProperty("java.class.path") + File.pathSeparator + ExampleTest.codeSource(Mxtls.class)
            + File.pathSeparator + ExampleTest.codeSource(com.sun.jna.Native.class)
            + File.pathSeparator + ExampleTest.codeSource(KeyWorkload.class),
        KeyWorkload.class.getName(), fx.p12("alice").toString(), fx.password(), fx.serverCa().toString(),
        secrets.toString(), fx.p12("bob").toString(), rotated.toString(),
        fx.url("verified", "localhost"), fx.url("verified", "127.0.0.1")));
    boolean strace = hasStrace();
    Path trace = priv.resolve("trace");
    if (strace) {
      cmd.addAll(0, List.of("strace", "-f", "-qq", "-o", trace.toString(),
          "-e", "trace=open,openat,creat,rename,renameat,renameat2,link,linkat"));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
    pb.environment().put("TMPDIR", tmpdir.toString());
    pb.redirectError(priv.resolve("stderr").toFile());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(90, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), Files.readString(priv.resolve("stderr")));
    assertEquals(fx.subject("alice") + "|" + fx.subject("bob") + "|CN=erin.fixture.test", out);

    // strict: nothing with a key in the child's private TMPDIR and cwd
    assertEquals(List.of(), keyFiles(Map.of(), List.of(tmpdir, cwd)));
    List<Path> hits = new ArrayList<>();
    for (Path h : keyFiles(before, shared)) {
      if (!h.startsWith(fx.dir) && !h.startsWith(priv) && !h.startsWith(issuing) && !isFixtureFile(h)) hits.add(h);
    }
    if (strace) {
      Set<Path> written = new HashSet<>();
      Pattern open = Pattern.compile("(?:open|openat|creat)\\((?:AT_FDCWD, )?\"([^\"]+)\"(?:, ([A-Z_|]+))?");
      Pattern rename = Pattern.compile("rename(?:at2?)?\\(.*\"([^\"]+)\".*\"([^\"]+)\"");
      for (String line : Files.readAllLines(trace)) {
        Matcher m = open.matcher(line);
        if (m.find() && (line.contains("creat(") || (m.group(2) != null && m.group(2).matches(".*(O_WRONLY|O_RDWR|O_CREAT).*")))) {
          written.add(cwd.resolve(m.group(1)).normalize());
        }
        Matcher r = rename.matcher(line);
        if (r.find()) written.add(cwd.resolve(r.group(2)).normalize());
      }
      assertTrue(written.stream().anyMatch(w -> w.startsWith(secrets)), "the trace sees the workload write its own files");
      List<Path> keyed = new ArrayList<>();
      for (Path w : written) {
        if (!w.startsWith(secrets) && !w.startsWith("/dev") && !w.startsWith("/proc") && Files.isRegularFile(w) && holdsKey(w)) {
          keyed.add(w);
        }
      }
      assertEquals(List.of(), keyed, "files the child wrote");
      hits.removeIf(h -> !written.contains(h));
    }
    assertEquals(List.of(), hits);
  }
}
