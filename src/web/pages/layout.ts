/**
 * The frame every dashboard page shares, and HTML escaping. Pages are shells: the server writes
 * what it knows when the page is asked for (which run, its name), and the page's script fetches
 * the JSON API and fills the rest in with DOM text nodes, so live data never passes through HTML
 * parsing. Everything interpolated here goes through escapeHtml: run names and ids come from users.
 */
import { escapeHtml } from '../../report/escape-html.ts';

export { escapeHtml };

export interface PageSpec {
  readonly title: string;
  /** Names the script the page runs (`/assets/<script>.js`); none for a static page. */
  readonly script?: string;
  /** data-* attributes on <body>, for the script (kebab-case keys: `run-id` is dataset.runId); values are escaped here. */
  readonly data?: Readonly<Record<string, string>>;
  /** HTML of the page's main element, already escaped by its builder. */
  readonly main: string;
}

export function page(spec: PageSpec): string {
  const data = Object.entries(spec.data ?? {})
    .map(([key, value]) => ` data-${key}="${escapeHtml(value)}"`)
    .join('');
  const script = spec.script ? `\n<script type="module" src="/assets/${spec.script}.js"></script>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(spec.title)} · faasbench</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/dashboard.css">${script}
</head>
<body${data}>
<header class="top"><a class="brand" data-keep-token href="/">faasbench</a><span class="sub">runs dashboard (read-only)</span></header>
<div id="error" class="error" role="alert" hidden></div>
<main>
${spec.main}
</main>
</body>
</html>
`;
}
