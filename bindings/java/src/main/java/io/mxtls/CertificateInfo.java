package io.mxtls;

import com.sun.jna.Pointer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A copy of what libmxtls knows about one X.509 certificate, taken while its owner (container,
 * bundle, context) is alive, so it never points into C memory. Immutable.
 */
public final class CertificateInfo {
  private final byte[] der;
  private final String subject;
  private final String issuer;
  private final Instant notBefore;
  private final Instant notAfter;
  private final byte[] sha256;
  private final boolean ca;
  private volatile X509Certificate x509;

  /** @param cert a borrowed {@code const mxtls_cert *} whose owner is held during the call */
  CertificateInfo(Pointer cert) {
    long[] len = new long[1];
    Pointer d = Ffi.mxtls_cert_der(cert, len);
    this.der = Mem.read(d, len[0]);
    this.subject = readName(cert, true);
    this.issuer = readName(cert, false);
    this.notBefore = Instant.ofEpochSecond(Ffi.mxtls_cert_not_before(cert));
    this.notAfter = Instant.ofEpochSecond(Ffi.mxtls_cert_not_after(cert));
    this.sha256 = Mem.read(Ffi.mxtls_cert_sha256(cert), 32);
    this.ca = Ffi.mxtls_cert_is_ca(cert) == 1;
  }

  /** A DN through the sizing call (buf NULL, size 0), then the real one. */
  static String readName(Pointer cert, boolean subject) {
    int need = subject ? Ffi.mxtls_cert_subject(cert, null, 0) : Ffi.mxtls_cert_issuer(cert, null, 0);
    if (need < 0) return "";
    byte[] buf = new byte[need + 1];
    if (subject) Ffi.mxtls_cert_subject(cert, buf, buf.length);
    else Ffi.mxtls_cert_issuer(cert, buf, buf.length);
    return Mem.cString(buf);
  }

  /** "CN=client, O=Example" as libmxtls writes it. */
  public String subject() {
    return subject;
  }

  public String issuer() {
    return issuer;
  }

  public Instant notBefore() {
    return notBefore;
  }

  public Instant notAfter() {
    return notAfter;
  }

  /** SHA-256 of the DER (a copy). */
  public byte[] sha256() {
    return sha256.clone();
  }

  /** SHA-256 of the DER, lower-case hex. */
  public String sha256Hex() {
    return HexFormat.of().formatHex(sha256);
  }

  /** basicConstraints cA. */
  public boolean isCa() {
    return ca;
  }

  /** The DER encoding (a copy). */
  public byte[] der() {
    return der.clone();
  }

  /** The certificate as the JDK parses it (parsed once). */
  public X509Certificate x509() {
    X509Certificate c = x509;
    if (c == null) {
      try {
        c = (X509Certificate) CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(der));
      } catch (CertificateException e) {
        throw new IllegalStateException("the JDK cannot parse a certificate libmxtls accepted: " + subject, e);
      }
      x509 = c;
    }
    return c;
  }

  /** The certificate as PEM text. */
  public String toPem() {
    return "-----BEGIN CERTIFICATE-----\n"
        + new String(Base64.getMimeEncoder(64, new byte[] {'\n'}).encode(der), StandardCharsets.US_ASCII)
        + "\n-----END CERTIFICATE-----\n";
  }

  @Override
  public String toString() {
    return "Certificate[" + subject + ", issuer " + issuer + ", " + notBefore + " .. " + notAfter + "]";
  }
}
