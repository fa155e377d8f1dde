// job.js - a job's progress on screen: a <progress> bar, the counts the job
// reports (fetched, new, updated, skipped, failed), then a summary or the
// error, kept current by polling GET /api/jobs/:id while it runs.

import { api } from './api.js';
import { h, mount } from './dom.js';

const POLL_MS = 600;
const COUNTS = ['fetched', 'new', 'updated', 'unchanged', 'skipped', 'failed'];
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const live = (job) => job.state === 'queued' || job.state === 'running';

function headline(job, noun) {
  const { done, total } = job.progress;
  switch (job.state) {
    case 'queued':
      return job.last_error ? `${noun} will try again shortly.` : `${noun} is waiting for a worker…`;
    case 'running': {
      if (!(total > 0)) return `${noun} is running…`;
      const unit = 'teams_total' in (job.progress.counts || {}) ? ' teams' : '';
      return `${noun} is running: ${done} of ${total}${unit}.`;
    }
    case 'done':
      return `${noun} finished ${timeFormat.format(new Date(job.updated_at))}.`;
    default:
      return `${noun} failed.`;
  }
}

// The errors a finished job lists in its result: [{email|team|id, message}].
function resultErrors(job) {
  const errors = job.result && Array.isArray(job.result.errors) ? job.result.errors : [];
  return errors.map((e) => h('li', {},
    e.email || e.team || e.id ? h('strong', {}, `${e.email || e.team || e.id}: `) : null,
    e.message || String(e)));
}

// A progress panel; update(job) redraws it.  NOUN names the job ("Import").
export function jobView(noun) {
  const el = h('div', { class: 'job', role: 'status', 'aria-live': 'polite' });
  return {
    el,
    update(job) {
      const counts = (job.progress && job.progress.counts) || {};
      const { done, total } = job.progress;
      const bar = h('progress', { class: 'job-bar', max: total > 0 ? total : null,
                                  value: total > 0 ? done : null, 'aria-label': `${noun} progress` });
      if (job.state === 'done') bar.value = bar.max = 1;
      mount(el,
        h('p', { class: `job-state job-${job.state}` }, headline(job, noun)),
        live(job) || job.state === 'done' ? bar : null,
        h('dl', { class: 'job-counts' },
          COUNTS.filter((k) => k in counts).map((k) => h('div', { class: `count count-${k}` },
            h('dt', {}, k), h('dd', {}, String(counts[k]))))),
        job.last_error && job.state !== 'done'
          ? h('p', { class: 'alert alert-error' }, job.last_error) : null,
        job.state === 'dead'
          ? h('p', { class: 'muted' }, 'Fix the cause (often the connection under Settings > ' +
                                       'Connections), then start the import again.') : null,
        resultErrors(job).length
          ? h('details', { class: 'job-errors', open: true },
            h('summary', {}, 'Some people could not be imported'),
            h('ul', {}, resultErrors(job))) : null);
      el.hidden = false;
    },
  };
}

// Poll job JOB_ID into VIEW until it ends or VIEW leaves the page; resolves
// with the last job seen.
export async function followJob(jobId, view) {
  let job;
  for (;;) {
    job = await api.job(jobId);
    if (!view.el.isConnected && job) return job;
    view.update(job);
    if (!live(job)) return job;
    await sleep(POLL_MS);
  }
}
