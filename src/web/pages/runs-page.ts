/**
 * `/`: the store's runs, newest first; the script polls /api/runs every second. It shows the
 * newest DEFAULT_RUNS_LIMIT unless asked for all (`/?all=1`, or the button under the table), up
 * to the API's most. The filter box takes `runs --filter`'s field=value pairs and keeps them in the
 * address (`/?filter=kind=experiment`).
 */
import { DEFAULT_RUNS_LIMIT, MAX_RUNS_LIMIT } from '../api.ts';
import { RUN_FILTER_FIELDS } from '../../store/run-filter.ts';
import { escapeHtml, page } from './layout.ts';

const FILTER_HELP = `field=value pairs separated by spaces (quote a value with spaces: label="my run"); fields ${RUN_FILTER_FIELDS.join(', ')}; a field given twice matches either value`;

export function runsPage(): string {
  return page({
    title: 'Runs',
    script: 'runs',
    data: { page: 'runs', 'default-limit': String(DEFAULT_RUNS_LIMIT), 'max-limit': String(MAX_RUNS_LIMIT) },
    main: `<div class="bar">
<h1>Runs</h1>
<button id="compare" type="button" disabled title="tick two runs to compare them">Compare selected</button>
<input id="filter" type="search" size="36" spellcheck="false" aria-label="filter runs" placeholder="filter: kind=experiment label=baseline" title="${escapeHtml(FILTER_HELP)}">
<span id="updated" class="muted"></span>
</div>
<table class="runs" id="runs">
<thead><tr><th class="pick"></th><th>status</th><th>run</th><th title="what it ran: the load pattern and rate, the trace, or the experiment's parameters">kind / load</th><th>provider</th><th>started</th><th>duration</th><th>progress</th><th class="num" title="measured calls, warm-up calls not counted, from the run's summary (a running run's count is in its progress)">measured calls</th></tr></thead>
<tbody><tr><td colspan="9" class="muted">loading…</td></tr></tbody>
</table>
<p id="shown" class="muted" hidden><span id="shown-text"></span> <button id="show-all" type="button"></button></p>`,
  });
}
