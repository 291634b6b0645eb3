package io.mxtls;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/** PEM on byte arrays (never Strings, so that key text can be wiped). */
final class Pem {
  private Pem() {}

  private static final byte[] KEY_BEGIN = "-----BEGIN PRIVATE KEY-----".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] KEY_END = "-----END PRIVATE KEY-----".getBytes(StandardCharsets.US_ASCII);

  /**
   * The DER of the first "PRIVATE KEY" (PKCS#8) block. The caller wipes both the PEM and the
   * result; the intermediate base64 copy is wiped here.
   */
  static byte[] pkcs8Der(byte[] pem) {
    int begin = indexOf(pem, KEY_BEGIN, 0);
    int end = begin < 0 ? -1 : indexOf(pem, KEY_END, begin + KEY_BEGIN.length);
    if (begin < 0 || end < 0) throw MxtlsException.of("internal", "the exported key is not PKCS#8 PEM");
    byte[] b64 = new byte[end - begin - KEY_BEGIN.length];
    int n = 0;
    for (int i = begin + KEY_BEGIN.length; i < end; i++) {
      byte c = pem[i];
      if (c != '\n' && c != '\r' && c != ' ' && c != '\t') b64[n++] = c;
    }
    try {
      byte[] out = new byte[n / 4 * 3];
      int len;
      // decode(src, dst) reads the whole source: decode from an exact copy we wipe too.
      byte[] src = Arrays.copyOf(b64, n);
      try {
        len = Base64.getDecoder().decode(src, out);
      } finally {
        Arrays.fill(src, (byte) 0);
      }
      if (len == out.length) return out;
      byte[] exact = Arrays.copyOf(out, len);
      Arrays.fill(out, (byte) 0);
      return exact;
    } finally {
      Arrays.fill(b64, (byte) 0);
    }
  }

  /** Every certificate of a PEM bundle, in order. */
  static List<X509Certificate> certificates(byte[] pem) {
    if (pem.length == 0) return List.of();
    try {
      List<X509Certificate> out = new ArrayList<>();
      for (java.security.cert.Certificate c : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem))) {
        out.add((X509Certificate) c);
      }
      return out;
    } catch (CertificateException e) {
      throw new MxtlsException("internal", -1, "the JDK cannot parse certificates libmxtls exported: " + e.getMessage());
    }
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = from; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }
}
