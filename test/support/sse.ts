/** Reads a Server-Sent Events response as text, waiting for what a test expects. */
export interface EventReader {
  text(): string;
  /** Reads until `pattern` appears in what arrived so far, or the stream ends; true when it appeared. */
  until(pattern: RegExp, timeoutMs?: number): Promise<boolean>;
  /** True when the stream ended (after what is buffered). */
  ended(timeoutMs?: number): Promise<boolean>;
  cancel(): Promise<void>;
}

export function readEvents(response: Response): EventReader {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  let done = false;
  let pending: Promise<void> | undefined;
  const next = () =>
    (pending ??= reader.read().then(({ value, done: end }) => {
      pending = undefined;
      if (end) done = true;
      else text += value;
    }));
  const race = (ms: number) => new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref());
  return {
    text: () => text,
    async until(pattern, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text) && !done) {
        if ((await Promise.race([next(), race(deadline - Date.now())])) === 'timeout') break;
      }
      return pattern.test(text);
    },
    async ended(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!done) if ((await Promise.race([next(), race(deadline - Date.now())])) === 'timeout') break;
      return done;
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}
