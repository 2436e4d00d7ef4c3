/** `/`: every run in the store, newest first; the script polls /api/runs every second. */
import { page } from './layout.ts';

export function runsPage(): string {
  return page({
    title: 'Runs',
    script: 'runs',
    data: { page: 'runs' },
    main: `<div class="bar">
<h1>Runs</h1>
<button id="compare" type="button" disabled title="tick two runs to compare them">Compare selected</button>
<span id="updated" class="muted"></span>
</div>
<table class="runs" id="runs">
<thead><tr><th class="pick"></th><th>status</th><th>run</th><th>kind / experiment</th><th>provider</th><th>started</th><th>duration</th><th>progress</th><th class="num">calls</th></tr></thead>
<tbody><tr><td colspan="9" class="muted">loading…</td></tr></tbody>
</table>`,
  });
}
