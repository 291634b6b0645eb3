package io.mxtls;

/** The type of an identity's private key. */
public enum KeyType {
  RSA("RSA"),
  EC("EC"),
  /** A type a newer library reports that this binding does not know. */
  UNKNOWN(null);

  private final String jcaAlgorithm;

  KeyType(String jcaAlgorithm) {
    this.jcaAlgorithm = jcaAlgorithm;
  }

  /** The JCA algorithm name ({@code KeyFactory}, key managers' key types), or null. */
  public String jcaAlgorithm() {
    return jcaAlgorithm;
  }

  static KeyType of(int value) {
    NativeLoader n = NativeLoader.get();
    if (value == n.constant("MXTLS_KEY_RSA")) return RSA;
    if (value == n.constant("MXTLS_KEY_EC")) return EC;
    return UNKNOWN;
  }
}
