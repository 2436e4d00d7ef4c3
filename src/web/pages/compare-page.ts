/**
 * `/compare?a=&b=`: what changed from run a to run b. Two experiment runs' result tables compared
 * row by row (their answer), each function's figures as A → B with the change, its confidence
 * interval and a verdict, and both runs' latency CDFs and latency over time side by side.
 * Its own stylesheet (compare.css): a <link> in the body is allowed, and the page's CSP admits no
 * inline style.
 */
import type { Run } from '../../store/store.ts';
import { escapeHtml, page } from './layout.ts';

export function comparePage(a: Run, b: Run): string {
  return page({
    title: `Compare ${a.name} and ${b.name}`,
    script: 'compare',
    data: { page: 'compare', a: a.id, b: b.id },
    main: `<link rel="stylesheet" href="/assets/compare.css">
<div class="bar">
<h1>Compare <span class="mono">${escapeHtml(a.id)}</span> → <span class="mono">${escapeHtml(b.id)}</span></h1>
<span id="updated" class="muted"></span>
</div>
<section id="sides" class="sides"><p class="muted">loading…</p></section>
<section id="results-section" hidden>
<h2>Result tables (B − A)</h2>
<p class="muted">Each experiment's answer, row by row: rows matched by their key columns, numbers as A → B with the change in percent of A.</p>
<div id="results"></div>
</section>
<section>
<h2 id="differences-title">Changes per function (B − A)</h2>
<p class="muted" id="method"></p>
<div id="differences"><p class="muted">computing…</p></div>
</section>
<section>
<h2>Latency</h2>
<div id="charts" class="compare-charts"><p class="muted">rendering…</p></div>
</section>`,
  });
}
