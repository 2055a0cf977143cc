/**
 * The status streams (Server-Sent Events) open in this process. Every stream's body passes through
 * here unchanged, so metrics can count them and a shutdown can end each with a final event
 * instead of a cut connection: `event: closing` with a `retry:` hint. `<mixpay-button>` then follows
 * the order by polling; a plain EventSource reconnects to another process (or this one, once back).
 */
export const CLOSING_EVENT = 'closing';

export class OpenStreams {
  private readonly open = new Set<(final: Uint8Array) => void>();
  private closing = false;

  get size(): number {
    return this.open.size;
  }

  /** Passes the response's stream through, tracked until it ends, the client leaves, or closeAll. */
  track(response: Response): Response {
    const reader = response.body!.getReader();
    let finish: ((final?: Uint8Array) => void) | undefined;
    let ended = false;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        finish = (final) => {
          if (ended) return;
          ended = true;
          this.open.delete(finish!);
          if (final) {
            controller.enqueue(final);
            controller.close();
            void reader.cancel('server closing').catch(() => {});
          }
        };
        this.open.add(finish);
        if (this.closing) finish(closingEvent());
      },
      pull: async (controller) => {
        try {
          const { done, value } = await reader.read();
          if (ended) return; // closed by closeAll meanwhile
          if (done) {
            finish?.();
            controller.close();
          } else controller.enqueue(value);
        } catch (error) {
          if (ended) return;
          finish?.();
          controller.error(error);
        }
      },
      cancel: async (reason) => {
        finish?.();
        await reader.cancel(reason);
      },
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  }

  /** Ends every open stream with the final `closing` event; streams opened afterwards end at once. */
  closeAll(): number {
    this.closing = true;
    const count = this.open.size;
    for (const finish of [...this.open]) finish(closingEvent());
    return count;
  }
}

function closingEvent(): Uint8Array {
  return new TextEncoder().encode(`event: ${CLOSING_EVENT}\nretry: 2000\ndata: {"reason":"server shutting down; reconnect"}\n\n`);
}
