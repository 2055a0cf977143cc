/** How the admin page writes times and amounts: the browser's locale, through Intl. */
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export const formatTime = (ms: number | null | undefined): string => (ms === null || ms === undefined ? '—' : dateTime.format(new Date(ms)));

export const formatIso = (iso: string | null | undefined): string => (iso ? dateTime.format(new Date(iso)) : '—');

/** Amounts are decimal strings from the server; they are shown as sent, never through a float. */
export const formatAmount = (amount: string | null | undefined, currency: string | null | undefined): string => (amount ? `${amount} ${currency ?? ''}`.trim() : '—');

export const formatDuration = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

/** Short form of a UUID for narrow columns; the full id stays in the title and the link. */
export const shortId = (id: string): string => id.slice(0, 8);
