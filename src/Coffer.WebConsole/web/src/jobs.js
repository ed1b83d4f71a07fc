import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, downloadUrl, enc, formatTime } from './api.js';
import { Failure } from './objects.js';

// The account's batch jobs with their progress: polled once a second while any job has not ended, so a running job's
// bar moves without a reload.
export function JobsPage() {
  const [jobs, setJobs] = useState(null);
  const [error, setError] = useState(null);
  const load = () => api('GET', '/api/jobs').then(setJobs, setError);

  useEffect(() => { load(); }, []);
  useEffect(() => {
    if (!jobs?.some((j) => !j.ended)) return undefined;
    const timer = setTimeout(load, 1000);
    return () => clearTimeout(timer);
  }, [jobs]);

  const cancel = async (job) => {
    try {
      const changed = await api('POST', `/api/jobs/${enc(job.jobId)}/cancel`);
      setJobs(jobs.map((j) => (j.jobId === changed.jobId ? changed : j)));
      setError(null);
    } catch (e) { setError(e); }
  };

  return html`<section>
    <h2>Batch jobs</h2>
    <${Failure} error=${error} />
    ${jobs && jobs.length === 0 && html`<p>No jobs yet: create one with the S3 Control or COS batch API, or <code>coffer batch create</code>.</p>`}
    ${jobs && jobs.length > 0 && html`<table data-testid="jobs">
      <thead><tr><th>Job</th><th>Operation</th><th>Status</th><th>Progress</th><th>Priority</th><th>Created</th><th>Report</th><th></th></tr></thead>
      <tbody>${jobs.map((j) => {
        const done = j.tasksSucceeded + j.tasksFailed;
        return html`<tr data-job=${j.jobId} data-status=${j.status}>
          <td>${j.jobId}</td><td>${j.operation}</td><td class="status">${j.status}</td>
          <td class="progress">
            <progress max=${Math.max(j.totalTasks, 1)} value=${j.status === 'Complete' ? Math.max(j.totalTasks, 1) : done}></progress>
            <span class="tasks">${done}/${j.totalTasks}</span>${j.tasksFailed > 0 && html` <span class="error failed">${j.tasksFailed} failed</span>`}
          </td>
          <td>${j.priority}</td><td>${formatTime(j.createdAt)}</td>
          <td>
            ${j.reportManifestKey && html`<a href=${downloadUrl(j.reportBucket, j.reportManifestKey)}>completion report</a>`}
            ${j.failureCode && html`<span class="error">${j.failureCode}: ${j.failureReason}</span>`}
          </td>
          <td class="actions">${!j.ended && j.status !== 'Cancelling' && html`<button onClick=${() => cancel(j)}>Cancel</button>`}</td>
        </tr>`;
      })}</tbody>
    </table>`}
  </section>`;
}
