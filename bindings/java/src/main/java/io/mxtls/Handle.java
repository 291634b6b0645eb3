package io.mxtls;

import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One owned C pointer and its {@code _free} function. {@link #close()} frees it once every call
 * in flight on it has returned (the header: freeing while another thread uses an object is
 * unsafe, so calls {@link #acquire()} and {@link #release()} around their use); a {@link Cleaner}
 * frees it when the owning Java object becomes unreachable and was never closed.
 *
 * <p>The cleaning action is this object, which never refers to its owner.
 */
final class Handle implements Runnable {
  static final Cleaner CLEANER = Cleaner.create(r -> {
    Thread t = new Thread(r, "mxtls-cleaner");
    t.setDaemon(true);
    return t;
  });

  private final Pointer ptr;
  private final Consumer<Pointer> free;
  private final String what;
  /** The owner's reference plus one per call in flight; 0: freed. */
  private final AtomicLong uses = new AtomicLong(1);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Cleaner.Cleanable cleanable;

  /** Takes ownership of ptr (non-NULL) for owner. */
  Handle(Object owner, Pointer ptr, Consumer<Pointer> free, String what) {
    if (ptr == null) throw new IllegalArgumentException("NULL " + what);
    this.ptr = ptr;
    this.free = free;
    this.what = what;
    this.cleanable = CLEANER.register(owner, this);
  }

  /** The pointer, for one call; pair with {@link #release()}. Throws usage once closed. */
  Pointer acquire() {
    for (;;) {
      long n = uses.get();
      if (n == 0 || closed.get()) throw MxtlsException.of("usage", what + " is closed");
      if (uses.compareAndSet(n, n + 1)) return ptr;
    }
  }

  void release() {
    if (uses.decrementAndGet() == 0) free.accept(ptr);
  }

  boolean isClosed() {
    return closed.get();
  }

  /** Free now (or when the last call in flight returns). Idempotent. */
  void close() {
    cleanable.clean();
  }

  /** Cleaner action and close(): drop the owner's reference once. */
  @Override
  public void run() {
    if (closed.compareAndSet(false, true)) release();
  }
}
