// pages/sync-progress.js - the progress of a bulk sync, unsync or primary
// platform change: a <progress> bar and a summary, driven by the org's
// status counts (GET /api/orgs/:org/sync/summary) that the page polls.
// A request enqueues one job per person; the bar fills as the people it
// queued leave pending, provisioning and unsyncing.

import { h, mount } from '../dom.js';

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
const grew = (summary, before, status) => Math.max(0, summary.counts[status] - before.counts[status]);

// What became of the request, from the counts before it and now.
function outcome(run, summary) {
  const parts = [];
  if (run.kind === 'unsync') parts.push(`${grew(summary, run.before, 'not_synced')} unsynced`);
  else if (run.queued) parts.push(`${grew(summary, run.before, 'synced')} synced`);
  if (run.kind === 'primary') parts.unshift(`primary platform set for ${plural(run.changed, 'person', 'people')}`);
  const failed = grew(summary, run.before, 'error');
  if (failed) parts.push(`${failed} failed (see the Error badges)`);
  if (run.skipped) parts.push(`${run.skipped} skipped`);
  return parts.join(', ');
}

export function syncProgress() {
  const el = h('div', { class: 'job bulk-progress', role: 'status', 'aria-live': 'polite', hidden: true });
  let run = null;   // {kind, noun, queued, changed, skipped, before, done}

  function draw(summary) {
    const left = Math.min(run.queued, summary.busy);
    const done = run.queued - left;
    run.done = left === 0;
    const head = run.done
      ? `${run.noun} finished: ${outcome(run, summary)}.`
      : `${run.noun}: ${done} of ${plural(run.queued, 'person', 'people')} done…`;
    mount(el,
      h('p', { class: `job-state ${run.done ? 'job-done' : 'job-running'}` }, head),
      h('progress', { class: 'job-bar', max: Math.max(run.queued, 1), value: run.done ? Math.max(run.queued, 1) : done,
                      'aria-label': `${run.noun} progress` }));
    el.hidden = false;
  }

  return {
    el,
    // Whether a request is still being worked through.
    get running() { return Boolean(run && !run.done); },
    // Start showing request KIND ("sync", "unsync", "primary") named NOUN,
    // answered with ANSWER ({queued, changed, skipped}); BEFORE and NOW are
    // the summaries before the request and right after it.
    start(kind, noun, answer, before, now) {
      run = { kind, noun, queued: answer.queued, changed: answer.changed, skipped: answer.skipped, before };
      draw(now);
    },
    update(summary) {
      if (run && !run.done) draw(summary);
    },
  };
}

// The org's counts per status, as one line.
export function summaryLine(summary, labels) {
  const parts = Object.entries(labels)
    .filter(([status]) => summary.counts[status] > 0)
    .map(([status, label]) => `${summary.counts[status]} ${label.toLowerCase()}`);
  return `${plural(summary.total, 'person', 'people')}${parts.length ? `: ${parts.join(' · ')}` : ''}`;
}
