/** The admin page's one door to the server: JSON over /admin/api with the session's CSRF token on changes. */
export class AdminApiError extends Error {
  override name = 'AdminApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class AdminClient {
  /** The session's CSRF token, sent as `x-csrf-token` on every change. */
  csrfToken = '';

  constructor(private readonly base = '/admin') {}

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', `/api${path}`, undefined, signal);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', `/api${path}`, body);
  }

  async signIn(key: string, operator: string): Promise<{ operator: string; csrf_token: string; expires_at_t: number }> {
    const answer = await this.request<{ operator: string; csrf_token: string; expires_at_t: number }>('POST', '/session', { key, operator });
    this.csrfToken = answer.csrf_token;
    return answer;
  }

  async signOut(): Promise<void> {
    await this.request('POST', '/session/sign-out', {});
    this.csrfToken = '';
  }

  private async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', signal });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new AdminApiError(0, 'UNREACHABLE', 'the server could not be reached; check that it is running');
    }
    const answer = (await response.json().catch(() => ({}))) as { error_code?: string; error?: string };
    if (!response.ok) throw new AdminApiError(response.status, answer.error_code ?? 'HTTP_ERROR', answer.error ?? `the server answered ${response.status}`);
    return answer as T;
  }
}
