package io.mxtls;

import java.util.List;

/** An identity of a {@link Context}: its index, leaf certificate and pins (empty: default). */
public record ContextIdentity(int index, CertificateInfo certificate, List<String> pins) {
  public String subject() {
    return certificate.subject();
  }
}
