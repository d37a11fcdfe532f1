/** The message of a caught value: an Error's message, anything else as a string (a worker may throw a string). */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
