/** `/compare?a=&b=`: what changed from run a to run b, each difference with its confidence interval. */
import type { Run } from '../../store/store.ts';
import { escapeHtml, page } from './layout.ts';

export function comparePage(a: Run, b: Run): string {
  return page({
    title: `Compare ${a.name} and ${b.name}`,
    script: 'compare',
    data: { page: 'compare', a: a.id, b: b.id },
    main: `<div class="bar">
<h1>Compare <span class="mono">${escapeHtml(a.id)}</span> → <span class="mono">${escapeHtml(b.id)}</span></h1>
<span id="updated" class="muted"></span>
</div>
<section id="sides" class="sides"><p class="muted">loading…</p></section>
<section>
<h2>Differences (b − a)</h2>
<p class="muted" id="method"></p>
<div id="differences"><p class="muted">computing…</p></div>
</section>`,
  });
}
