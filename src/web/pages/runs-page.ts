/**
 * `/`: the store's runs, newest first; the script polls /api/runs every second. It shows the
 * newest DEFAULT_RUNS_LIMIT unless asked for all (`/?all=1`, or the button under the table), up
 * to the API's most.
 */
import { DEFAULT_RUNS_LIMIT, MAX_RUNS_LIMIT } from '../api.ts';
import { page } from './layout.ts';

export function runsPage(): string {
  return page({
    title: 'Runs',
    script: 'runs',
    data: { page: 'runs', 'default-limit': String(DEFAULT_RUNS_LIMIT), 'max-limit': String(MAX_RUNS_LIMIT) },
    main: `<div class="bar">
<h1>Runs</h1>
<button id="compare" type="button" disabled title="tick two runs to compare them">Compare selected</button>
<span id="updated" class="muted"></span>
</div>
<table class="runs" id="runs">
<thead><tr><th class="pick"></th><th>status</th><th>run</th><th>kind / experiment</th><th>provider</th><th>started</th><th>duration</th><th>progress</th><th class="num" title="measured calls, warm-up calls not counted, from the run's summary (a running run's count is in its progress)">measured calls</th></tr></thead>
<tbody><tr><td colspan="9" class="muted">loading…</td></tr></tbody>
</table>
<p id="shown" class="muted" hidden><span id="shown-text"></span> <button id="show-all" type="button"></button></p>`,
  });
}
