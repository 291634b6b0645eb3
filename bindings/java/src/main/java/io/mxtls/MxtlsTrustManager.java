package io.mxtls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.OptionalInt;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies servers against exactly the context's authorities (see {@link Context#trustAnchors()})
 * with the JDK's PKIX trust manager, which also performs endpoint identification when the
 * connection's SSLParameters ask for it (HttpClient and HttpsURLConnection do).
 *
 * <p>One more check, on engines and sockets: the client identity is chosen by the peer host; if
 * the handshake names another server (an SNI host name that is not the peer host), the identity
 * selected for the peer host must also be the one selected for that name ({@code
 * mxtls_ctx_check_host}), else the handshake fails before any client certificate is sent.
 */
final class MxtlsTrustManager extends X509ExtendedTrustManager {
  private final Context ctx;
  private final X509ExtendedTrustManager pkix;

  MxtlsTrustManager(Context ctx) {
    this.ctx = ctx;
    this.pkix = pkixOver(ctx.trustAnchors());
  }

  static X509ExtendedTrustManager pkixOver(List<X509Certificate> anchors) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      int i = 0;
      for (X509Certificate c : anchors) ks.setCertificateEntry("ca-" + i++, c);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(ks);
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager) return (X509ExtendedTrustManager) tm;
      }
      throw new IllegalStateException("the JDK has no X509ExtendedTrustManager for PKIX");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build the JDK trust manager: " + e.getMessage(), e);
    }
  }

  private void checkSelection(SSLSession session, String peerHost) throws CertificateException {
    if (!(session instanceof ExtendedSSLSession) || peerHost == null) return;
    for (SNIServerName n : ((ExtendedSSLSession) session).getRequestedServerNames()) {
      if (!(n instanceof SNIHostName)) continue;
      String sni = ((SNIHostName) n).getAsciiName();
      if (sni.equalsIgnoreCase(peerHost)) return;
      OptionalInt chosen = ctx.select(null, peerHost);
      try {
        ctx.checkHost(chosen, null, sni);
      } catch (NotPinnedException e) {
        throw new CertificateException(e.getMessage(), e);
      }
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    pkix.checkServerTrusted(chain, authType, engine);
    if (engine != null) checkSelection(engine.getHandshakeSession(), engine.getPeerHost());
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    pkix.checkServerTrusted(chain, authType, socket);
    if (socket instanceof SSLSocket) {
      checkSelection(((SSLSocket) socket).getHandshakeSession(), MxtlsKeyManager.peerHost(socket));
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    pkix.checkServerTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException("an mxtls SSLContext is for clients only");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    throw new CertificateException("an mxtls SSLContext is for clients only");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("an mxtls SSLContext is for clients only");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix.getAcceptedIssuers();
  }
}
