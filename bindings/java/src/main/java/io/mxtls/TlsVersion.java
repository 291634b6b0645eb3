package io.mxtls;

/** TLS protocol versions libmxtls allows (TLS 1.2 is the floor). */
public enum TlsVersion {
  TLS_1_2("TLSv1.2", "MXTLS_TLS_1_2"),
  TLS_1_3("TLSv1.3", "MXTLS_TLS_1_3");

  private final String jsseName;
  private final String constant;

  TlsVersion(String jsseName, String constant) {
    this.jsseName = jsseName;
    this.constant = constant;
  }

  /** The JSSE protocol name ("TLSv1.2"). */
  public String jsseName() {
    return jsseName;
  }

  int wire() {
    return NativeLoader.get().intConstant(constant);
  }

  static TlsVersion ofWire(int v) {
    for (TlsVersion t : values()) {
      if (t.wire() == v) return t;
    }
    throw MxtlsException.of("internal", "unknown TLS version 0x" + Integer.toHexString(v));
  }
}
