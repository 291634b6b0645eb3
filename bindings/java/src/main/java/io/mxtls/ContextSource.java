package io.mxtls;

/** Where SSL managers get their context: a fixed one, or a runtime's current one. */
interface ContextSource {
  /** The context new connections use now. */
  Context current();

  /** A context fixed for the life of the SSLContext (its own reference, freed by the Cleaner). */
  record Fixed(Context context) implements ContextSource {
    @Override
    public Context current() {
      return context;
    }
  }
}
