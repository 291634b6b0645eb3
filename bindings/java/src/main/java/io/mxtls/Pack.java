package io.mxtls;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A PKCS#12 container from what a CA hands out, as {@code mxtls pack} makes it: certificates
 * (the leaf and any chain: PEM, DER or .p7b), issuers to complete the chain, and one private key
 * in any PEM/DER form, encrypted or not. {@link #pack(char[])} reads them into a {@link Bundle},
 * finds the certificate holding the key and its chain (by key and signature, never by order),
 * writes the identity with {@link Pkcs12Writer}, loads the result back with {@link Pkcs12#load}
 * and checks it holds the same leaf and chain before returning the bytes.
 *
 * <pre>{@code
 * byte[] p12 = new Pack()
 *     .cert(Path.of("client.crt"))
 *     .chain(Path.of("ca-chain.pem"))
 *     .key(Path.of("client.key"), keyPassword)          // null for an unencrypted key
 *     .profile(Pkcs12Writer.Profile.COMPAT)             // default MODERN
 *     .friendlyName("client")
 *     .pack(password);
 * }</pre>
 *
 * <p>Inputs given as {@code byte[]} and the key password are held by reference, not copied,
 * until {@link #pack} reads them: wipe your arrays after it returns. The binding's own copies
 * (native buffers, encoded passwords) are zeroed after each call, the bundle and writer are
 * closed (their keys wiped) before {@code pack} returns. Errors are the library's: {@link
 * WrongPasswordException} (an encrypted key the password does not open), {@link
 * KeyMismatchException} (no certificate holds the key), {@link CorruptException}, ..., messages
 * naming the input (byte inputs are called {@code cert[0]}, {@code chain[0]}, {@code key}); a
 * container that does not read back as the same identity is {@link InternalException}. A Pack is
 * used by one thread at a time and may be packed again.
 */
public final class Pack {
  private record Input(Path file, byte[] data, String name) {
    void addTo(Bundle b, char[] password) {
      if (file != null) b.add(file, password);
      else b.add(data, name, password);
    }

    String describe() {
      return file != null ? file.toString() : name;
    }
  }

  private final List<Input> certs = new ArrayList<>();
  private final List<Input> chain = new ArrayList<>();
  private Input key;
  private char[] keyPassword;
  private Pkcs12Writer.Profile profile = Pkcs12Writer.Profile.MODERN;
  private int iterations;
  private String friendlyName;

  /** Certificates from a file: the leaf, and any chain. */
  public Pack cert(Path file) {
    certs.add(new Input(Objects.requireNonNull(file, "file"), null, null));
    return this;
  }

  /** Certificates as content (PEM, DER, .p7b). */
  public Pack cert(byte[] data) {
    certs.add(new Input(null, Objects.requireNonNull(data, "data"), "cert[" + certs.size() + "]"));
    return this;
  }

  /** Issuers to complete the chain (intermediates, the root): certificates not on it are left out. */
  public Pack chain(Path file) {
    chain.add(new Input(Objects.requireNonNull(file, "file"), null, null));
    return this;
  }

  /** Issuers as content. */
  public Pack chain(byte[] data) {
    chain.add(new Input(null, Objects.requireNonNull(data, "data"), "chain[" + chain.size() + "]"));
    return this;
  }

  /** The private key file (exactly one key; an unencrypted one). */
  public Pack key(Path file) {
    return key(file, null);
  }

  /**
   * The private key file; {@code password} for an encrypted key (null or empty: none). As
   * with {@code mxtls pack}, the password is given to every input (certificate files may hold
   * keys too), and the key input must hold exactly one key.
   */
  public Pack key(Path file, char[] password) {
    key = new Input(Objects.requireNonNull(file, "file"), null, null);
    keyPassword = password;
    return this;
  }

  /** The private key as content (PEM or DER). */
  public Pack key(byte[] data) {
    return key(data, null);
  }

  /** The private key as content; {@code password} for an encrypted key (null or empty: none). */
  public Pack key(byte[] data, char[] password) {
    key = new Input(null, Objects.requireNonNull(data, "data"), "key");
    keyPassword = password;
    return this;
  }

  /** The output's profile (default MODERN). */
  public Pack profile(Pkcs12Writer.Profile profile) {
    this.profile = Objects.requireNonNull(profile, "profile");
    return this;
  }

  /** Key-derivation iterations of the output (default 2048, see {@link Pkcs12Writer#iterations}). */
  public Pack iterations(int iterations) {
    if (iterations < 0) throw new IllegalArgumentException("iterations must not be negative: " + iterations);
    this.iterations = iterations;
    return this;
  }

  /** The identity's friendlyName (null: none). */
  public Pack friendlyName(String name) {
    this.friendlyName = name;
    return this;
  }

  /** Build, write and verify the container under {@code password}; returns its bytes. */
  public byte[] pack(char[] password) {
    Objects.requireNonNull(password, "password");
    byte[] pw = Pkcs12.utf8(password);
    try {
      return pack(pw);
    } finally {
      Arrays.fill(pw, (byte) 0);
    }
  }

  /** As {@link #pack(char[])}, the password as UTF-8 bytes. */
  public byte[] pack(byte[] password) {
    Objects.requireNonNull(password, "password");
    if (certs.isEmpty() || key == null) {
      throw new IllegalStateException("a certificate and a key are needed (cert(...), key(...))");
    }
    List<byte[]> expected = new ArrayList<>();
    byte[] der;
    try (Bundle b = new Bundle(); Pkcs12Writer w = new Pkcs12Writer(profile)) {
      for (Input in : certs) in.addTo(b, keyPassword);
      for (Input in : chain) in.addTo(b, keyPassword);
      int before = b.keyCount();
      key.addTo(b, keyPassword);
      int added = b.keyCount() - before;
      if (added != 1) {
        throw MxtlsException.of("usage", key.describe() + ": holds " + added + " private keys; the key input takes one key");
      }
      Key k = b.key(before);
      for (CertificateInfo c : b.chain(k.index()).certificates()) expected.add(c.sha256());
      if (iterations != 0) w.iterations(iterations);
      der = w.addKey(k, friendlyName).finish(password);
    }
    verify(der, password, expected);
    return der;
  }

  /** Never hand out what does not read back as the same identity (leaf and chain). */
  static void verify(byte[] der, byte[] password, List<byte[]> expected) {
    Pkcs12 back;
    try {
      back = Pkcs12.load(der, password);
    } catch (MxtlsException e) {
      throw MxtlsException.of("internal", "the container made does not load again (" + e.code() + ": " + e.getMessage() + ")");
    }
    try (back) {
      if (back.identities().size() != 1) {
        throw MxtlsException.of("internal", "the container made holds " + back.identities().size() + " identities, not 1");
      }
      Identity id = back.identities().get(0);
      List<byte[]> got = new ArrayList<>();
      got.add(id.sha256());
      for (CertificateInfo c : id.chainInfo()) got.add(c.sha256());
      boolean same = got.size() == expected.size();
      for (int i = 0; same && i < got.size(); i++) same = Arrays.equals(got.get(i), expected.get(i));
      if (!same) throw MxtlsException.of("internal", "the container made reads back with another leaf or chain");
    }
  }
}
