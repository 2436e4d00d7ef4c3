/**
 * `/runs/:id`: one run's summary, figures and charts, and an experiment's answer (its result
 * tables, notes and declared charts) above its calls; the script refreshes them while it runs.
 */
import type { Run } from '../../store/store.ts';
import { escapeHtml, page } from './layout.ts';

export function runPage(run: Run): string {
  return page({
    title: `${run.name} (${run.id})`,
    script: 'run',
    data: { page: 'run', 'run-id': run.id },
    main: `<div class="bar">
<h1><span id="run-name">${escapeHtml(run.name)}</span> <span class="muted mono">${escapeHtml(run.id)}</span></h1>
<span id="run-status"></span>
<span id="updated" class="muted"></span>
</div>
<section id="overview" class="overview"></section>
<section id="result-section"${run.kind === 'experiment' ? '' : ' hidden'}>
<h2>Result</h2>
<div id="result"><p class="muted">loading…</p></div>
<div id="result-charts" class="charts"></div>
</section>
<section>
<h2>${run.kind === 'experiment' ? 'Calls' : 'Summary'}</h2>
<div id="summary"><p class="muted">loading…</p></div>
</section>
<section>
<h2>Charts</h2>
<div id="charts" class="charts"><p class="muted">rendering…</p></div>
</section>
<section>
<h2>Parameters</h2>
<div id="details"></div>
</section>`,
  });
}
