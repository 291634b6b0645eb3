package io.mxtls;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * The current {@link Context} built from the environment, replaced atomically when the sources
 * change ({@code watch}) or on {@link #reload()}: new connections use the new context,
 * connections in flight keep theirs. A failed reload keeps the current context.
 *
 * <p>Queue mode only: the library's own {@code mxtls_event_queue} is the C callback, so no Java
 * code ever runs on a C thread. Events wait in the library (at most 256; it then reports how
 * many were dropped) until {@link #pollEvents()} takes them, or, while listeners exist, a daemon
 * thread ("mxtls-events") takes them every {@code 200 ms} and calls the listeners in order.
 *
 * <p>No signal handler is installed ({@code mxtls_runtime_watch(rt, 0)}): the JVM owns signals;
 * call {@link #reload()} from your own trigger. Thread-safe. Named like {@code java.lang.Runtime}
 * on purpose of the C API; import it explicitly or use {@code io.mxtls.Runtime}.
 */
public final class Runtime implements AutoCloseable {
  private static final int MESSAGE_BYTES = 1024;
  private static final long POLL_MILLIS = 200;

  private final Handle handle;
  private final Object lock = new Object();
  private volatile Context current;
  private final CopyOnWriteArrayList<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
  private Thread poller;
  private volatile SSLContext sslContext;

  private Runtime(Pointer ptr) {
    handle = new Handle(this, ptr, Ffi::mxtls_runtime_free, "runtime");
  }

  /**
   * Start from these variables (copied; see README "Environment": CLIENT_CERTIFICATES,
   * MXTLS_CLIENT_CERTIFICATE_FILE, CERTIFICATE_AUTHORITIES, ...). Start-up errors are thrown
   * ({@link ConfigException}, {@link WrongPasswordException}, {@link ExpiredException}...).
   *
   * @param watch reload when the files the configuration was read from change
   */
  public static Runtime start(Map<String, String> env, boolean watch) {
    Objects.requireNonNull(env, "env");
    return start(EnvStrings.of(env), watch);
  }

  /** Start from the live process environment, which the library reads again on every reload. */
  public static Runtime startFromProcessEnvironment(boolean watch) {
    return start((Mem.CStringArray) null, watch);
  }

  private static Runtime start(Mem.CStringArray envp, boolean watch) {
    NativeLoader n = NativeLoader.get();
    Memory err = Mem.errorBuffer();
    Pointer p;
    try {
      p = Ffi.mxtls_runtime_new(envp == null ? null : envp.array, n.eventQueue, null, err);
    } finally {
      if (envp != null) envp.close();
    }
    if (p == null) throw MxtlsException.fromError(err);
    Runtime rt = new Runtime(p);
    if (watch && Ffi.mxtls_runtime_watch(p, 0, err) != 0) {
      rt.close();
      throw MxtlsException.fromError(err);
    }
    return rt;
  }

  /** How many contexts have been installed (1 after start-up). */
  public long generation() {
    Pointer p = handle.acquire();
    try {
      return Ffi.mxtls_runtime_generation(p);
    } finally {
      handle.release();
    }
  }

  /**
   * The current context (the same object until the next rotation). It belongs to the runtime:
   * closing it does nothing; one taken before a rotation stays valid while it is used.
   */
  public Context context() {
    Pointer rt = handle.acquire();
    try {
      long gen = Ffi.mxtls_runtime_generation(rt);
      Context c = current;
      if (c != null && c.generation() == gen) return c;
      synchronized (lock) {
        c = current;
        if (c != null && c.generation() == gen) return c;
        for (;;) {
          Pointer ctx = Ffi.mxtls_runtime_ctx(rt);
          long after = Ffi.mxtls_runtime_generation(rt);
          if (after == gen) {
            c = new Context(ctx, gen, List.of(), false);
            current = c;
            return c;
          }
          Ffi.mxtls_ctx_free(ctx); // swapped while we took it: take the newer one
          gen = after;
        }
      }
    } finally {
      handle.release();
    }
  }

  /** Build a new context from the same sources now; throws and keeps the current one on failure. */
  public void reload() {
    Memory err = Mem.errorBuffer();
    Pointer p = handle.acquire();
    try {
      if (Ffi.mxtls_runtime_reload(p, err) != 0) throw MxtlsException.fromError(err);
    } finally {
      handle.release();
    }
  }

  /** The runtime's event descriptor (readable while events wait; owned by the runtime). */
  public int eventFd() {
    Pointer p = handle.acquire();
    try {
      return Ffi.mxtls_runtime_event_fd(p);
    } finally {
      handle.release();
    }
  }

  /**
   * Take every waiting event, oldest first. While listeners exist, the poller thread takes them
   * first, so use one or the other.
   */
  public List<Event> pollEvents() {
    List<Event> out = new ArrayList<>();
    if (handle.isClosed()) return out;
    int[] kind = new int[1];
    byte[] msg = new byte[MESSAGE_BYTES];
    Pointer p;
    try {
      p = handle.acquire();
    } catch (UsageException closed) {
      return out;
    }
    try {
      while (Ffi.mxtls_runtime_next_event(p, kind, msg, msg.length) == 1) {
        out.add(new Event(Ffi.mxtls_event_name(kind[0]), Mem.cString(msg)));
      }
    } finally {
      handle.release();
    }
    return out;
  }

  /** Call listener with every event from now on (and those waiting), on the "mxtls-events" thread. */
  public void addListener(Consumer<Event> listener) {
    listeners.add(Objects.requireNonNull(listener));
    synchronized (lock) {
      if (poller == null && !handle.isClosed()) {
        poller = new Thread(this::pollLoop, "mxtls-events");
        poller.setDaemon(true);
        poller.start();
      }
    }
  }

  public void removeListener(Consumer<Event> listener) {
    listeners.remove(listener);
  }

  private void pollLoop() {
    while (!handle.isClosed() && !Thread.currentThread().isInterrupted()) {
      deliver(pollEvents());
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        break;
      }
    }
  }

  private void deliver(List<Event> events) {
    for (Event e : events) {
      for (Consumer<Event> l : listeners) {
        try {
          l.accept(e);
        } catch (RuntimeException ex) {
          Thread t = Thread.currentThread();
          t.getUncaughtExceptionHandler().uncaughtException(t, ex);
        }
      }
    }
  }

  /**
   * An {@link SSLContext} that consults the current generation on every new connection: after
   * a rotation, the next connection of the same HttpClient presents the new material, with no
   * rebuild. The same object on every call.
   */
  public SSLContext sslContext() {
    SSLContext s = sslContext;
    if (s == null) {
      synchronized (lock) {
        s = sslContext;
        if (s == null) s = sslContext = MxtlsSslContext.create(this::context);
      }
    }
    return s;
  }

  /**
   * Stop watching and free the runtime (waiting events go to listeners first). Contexts handed
   * out and SSLContexts keep the context they hold; new connections through this runtime's
   * SSLContext fail with {@link UsageException}. Idempotent.
   */
  @Override
  public void close() {
    Thread t;
    synchronized (lock) {
      t = poller;
      poller = null;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (!listeners.isEmpty()) deliver(pollEvents());
    handle.close();
  }
}
