/** What a browser gets for an unknown run, a bad address or a store that fails: the message, and the way back. */
import { escapeHtml, page } from './layout.ts';

const TITLES: Readonly<Record<number, string>> = { 400: 'Bad request', 401: 'Token required', 403: 'Forbidden', 404: 'Not found', 405: 'Method not allowed' };

export function errorPage(status: number, message: string): string {
  const title = TITLES[status] ?? 'Something went wrong';
  return page({
    title,
    // The shared script only, which carries a ?token= over to the link back.
    script: 'common',
    data: { page: 'error', status: String(status) },
    main: `<h1>${escapeHtml(title)}</h1>
<p class="message" id="message">${escapeHtml(message)}</p>
<p><a data-keep-token href="/">All runs</a></p>`,
  });
}
