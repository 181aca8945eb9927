// A computation run on first demand whose outcome, a value or a thrown error, every later call repeats.

export function once<T>(fn: () => T): () => T {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  return () => {
    if (!outcome) {
      try {
        outcome = { ok: true, value: fn() };
      } catch (error) {
        outcome = { ok: false, error };
      }
    }
    if (outcome.ok) return outcome.value;
    throw outcome.error;
  };
}
