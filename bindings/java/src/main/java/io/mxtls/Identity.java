package io.mxtls;

import com.sun.jna.Pointer;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One identity of a PKCS#12 container: a private key with its leaf certificate and issuer
 * chain. A copy of the public parts (the key stays in C), so it outlives {@link Pkcs12#close()}.
 */
public final class Identity {
  private final int index;
  private final CertificateInfo leaf;
  private final List<CertificateInfo> chain;
  private final KeyType keyType;
  private final int keyBits;
  private final String curve;
  private final String friendlyName;

  /** @param id a borrowed {@code const mxtls_identity *} whose container is held during the call */
  Identity(int index, Pointer id) {
    this.index = index;
    this.leaf = new CertificateInfo(Ffi.mxtls_identity_leaf(id));
    List<CertificateInfo> c = new ArrayList<>();
    long n = Ffi.mxtls_identity_chain_count(id);
    for (long i = 0; i < n; i++) c.add(new CertificateInfo(Ffi.mxtls_identity_chain_cert(id, i)));
    this.chain = List.copyOf(c);
    this.keyType = KeyType.of(Ffi.mxtls_identity_key_type(id));
    this.keyBits = Math.toIntExact(Ffi.mxtls_identity_key_bits(id));
    this.curve = Ffi.mxtls_identity_key_curve(id);
    this.friendlyName = Ffi.mxtls_identity_friendly_name(id);
  }

  /** Position in the container (the index {@link Config#addIdentity} takes). */
  public int index() {
    return index;
  }

  public CertificateInfo leaf() {
    return leaf;
  }

  public String subject() {
    return leaf.subject();
  }

  public String issuer() {
    return leaf.issuer();
  }

  public Instant notBefore() {
    return leaf.notBefore();
  }

  public Instant notAfter() {
    return leaf.notAfter();
  }

  /** SHA-256 of the leaf's DER (a copy). */
  public byte[] sha256() {
    return leaf.sha256();
  }

  /** Issuers of the leaf, leaf-to-root (leaf excluded). */
  public List<CertificateInfo> chainInfo() {
    return chain;
  }

  /** The leaf then its issuers, as the JDK parses them. */
  public List<X509Certificate> chain() {
    List<X509Certificate> out = new ArrayList<>(chain.size() + 1);
    out.add(leaf.x509());
    for (CertificateInfo c : chain) out.add(c.x509());
    return out;
  }

  public KeyType keyType() {
    return keyType;
  }

  /** RSA modulus or EC curve size in bits. */
  public int keyBits() {
    return keyBits;
  }

  /** "P-256", "P-384", "P-521" for EC keys. */
  public Optional<String> curve() {
    return Optional.ofNullable(curve);
  }

  /** The friendlyName attribute of the key or leaf bag. */
  public Optional<String> friendlyName() {
    return Optional.ofNullable(friendlyName);
  }

  @Override
  public String toString() {
    return "Identity[" + subject() + ", " + keyType + " " + keyBits + (curve != null ? " " + curve : "") + "]";
  }
}
