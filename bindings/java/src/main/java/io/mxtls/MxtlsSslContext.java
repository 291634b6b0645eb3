package io.mxtls;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The {@link SSLContext} of a {@link Context} or {@link Runtime}: a thin SPI in front of one JDK
 * "TLS" SSLContext per libmxtls context (its "delegate"), initialised with an {@link
 * MxtlsKeyManager} and an {@link MxtlsTrustManager} bound to that context.
 *
 * <p>Every new engine or socket asks the source for its current context first. After a rotation
 * the next connection gets a new delegate: new identities, new trust, and a new (empty) TLS
 * session cache, so no session resumed from the old generation can carry its client certificate
 * into the new one. Engines and sockets already made keep their delegate (connections in flight
 * and pooled connections finish on the material they started with).
 *
 * <p>Every engine and socket is in client mode, limited to the context's protocol range (TLS 1.2
 * floor), and made with a host gets HTTPS endpoint identification unless the caller set an
 * algorithm. {@code init()} is refused: identity and trust come from the context.
 */
final class MxtlsSslContext extends SSLContextSpi {
  /** One libmxtls context and the JDK context made for it. */
  private record Bound(Context ctx, SSLContext delegate, String[] protocols) {}

  private final ContextSource source;
  private volatile Bound bound;
  private final SSLSocketFactory socketFactory = new Factory();

  private MxtlsSslContext(ContextSource source) {
    this.source = source;
  }

  static SSLContext create(ContextSource source) {
    MxtlsSslContext spi = new MxtlsSslContext(source);
    Bound b = spi.current(); // fail now, not on the first connection
    return new Facade(spi, b.delegate.getProvider());
  }

  private static final class Facade extends SSLContext {
    Facade(SSLContextSpi spi, java.security.Provider provider) {
      super(spi, provider, "TLS");
    }
  }

  private Bound current() {
    Context ctx = source.current();
    Bound b = bound;
    if (b != null && b.ctx == ctx) return b;
    synchronized (this) {
      b = bound;
      if (b != null && b.ctx == ctx) return b;
      try {
        SSLContext d = SSLContext.getInstance("TLS");
        d.init(new KeyManager[] {new MxtlsKeyManager(ctx)}, new TrustManager[] {new MxtlsTrustManager(ctx)}, null);
        b = new Bound(ctx, d, ctx.protocols());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot initialise the JDK's TLS context: " + e.getMessage(), e);
      }
      bound = b;
      return b;
    }
  }

  private static SSLParameters limit(SSLParameters p, String[] protocols) {
    p.setProtocols(protocols.clone());
    return p;
  }

  static void configure(Bound b, SSLEngine e, String host) {
    e.setUseClientMode(true);
    SSLParameters p = limit(e.getSSLParameters(), b.protocols);
    if (host != null && p.getEndpointIdentificationAlgorithm() == null) p.setEndpointIdentificationAlgorithm("HTTPS");
    e.setSSLParameters(p);
  }

  static Socket configure(Bound b, Socket s, String host) {
    SSLSocket ss = (SSLSocket) s;
    ss.setUseClientMode(true);
    SSLParameters p = limit(ss.getSSLParameters(), b.protocols);
    if (host != null && p.getEndpointIdentificationAlgorithm() == null) p.setEndpointIdentificationAlgorithm("HTTPS");
    ss.setSSLParameters(p);
    return ss;
  }

  @Override
  protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
    throw new KeyManagementException("an mxtls SSLContext is initialised by its context: identity and trust come from libmxtls");
  }

  @Override
  protected SSLSocketFactory engineGetSocketFactory() {
    return socketFactory;
  }

  @Override
  protected SSLServerSocketFactory engineGetServerSocketFactory() {
    throw new UnsupportedOperationException("an mxtls SSLContext is for clients only");
  }

  @Override
  protected SSLEngine engineCreateSSLEngine() {
    Bound b = current();
    SSLEngine e = b.delegate.createSSLEngine();
    configure(b, e, null);
    return e;
  }

  @Override
  protected SSLEngine engineCreateSSLEngine(String host, int port) {
    Bound b = current();
    SSLEngine e = b.delegate.createSSLEngine(host, port);
    configure(b, e, host);
    return e;
  }

  @Override
  protected SSLSessionContext engineGetServerSessionContext() {
    return current().delegate.getServerSessionContext();
  }

  /** The session cache of the current context (a new one after each rotation). */
  @Override
  protected SSLSessionContext engineGetClientSessionContext() {
    return current().delegate.getClientSessionContext();
  }

  @Override
  protected SSLParameters engineGetDefaultSSLParameters() {
    Bound b = current();
    return limit(b.delegate.getDefaultSSLParameters(), b.protocols);
  }

  @Override
  protected SSLParameters engineGetSupportedSSLParameters() {
    Bound b = current();
    return limit(b.delegate.getSupportedSSLParameters(), b.protocols);
  }

  /** Sockets from the current context's factory, configured as engines are. */
  private final class Factory extends SSLSocketFactory {
    @Override
    public String[] getDefaultCipherSuites() {
      return current().delegate.getSocketFactory().getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return current().delegate.getSocketFactory().getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
      Bound b = current();
      return configure(b, b.delegate.getSocketFactory().createSocket(), null);
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
      Bound b = current();
      return configure(b, b.delegate.getSocketFactory().createSocket(s, host, port, autoClose), host);
    }

    @Override
    public Socket createSocket(Socket s, InputStream consumed, boolean autoClose) throws IOException {
      throw new UnsupportedOperationException("an mxtls SSLContext is for clients only");
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      Bound b = current();
      return configure(b, b.delegate.getSocketFactory().createSocket(host, port), host);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      Bound b = current();
      return configure(b, b.delegate.getSocketFactory().createSocket(host, port, localHost, localPort), host);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      Bound b = current();
      return configure(b, b.delegate.getSocketFactory().createSocket(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
      Bound b = current();
      return configure(b, b.delegate.getSocketFactory().createSocket(address, port, localAddress, localPort), null);
    }
  }

  @Override
  public String toString() {
    return "mxtls SSLContext over " + Objects.toString(bound == null ? null : bound.ctx);
  }
}
