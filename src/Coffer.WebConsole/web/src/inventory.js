import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, downloadUrl, enc, formatBytes, formatTime } from './api.js';
import { ConfigurationForm, emptyForm, parseForm, toXml } from './form.js';
import { Failure } from './objects.js';

const ACTIVE = ['Queued', 'Running'];

export function InventoryPage({ bucket }) {
  const [configurations, setConfigurations] = useState(null);
  const [runs, setRuns] = useState([]);
  const [region, setRegion] = useState('ap-guangzhou');
  const [editing, setEditing] = useState(null);
  const [error, setError] = useState(null);
  const base = `/api/buckets/${enc(bucket)}`;
  const loadConfigurations = () => api('GET', `${base}/inventory`).then(setConfigurations, setError);
  const loadRuns = () => api('GET', `${base}/runs`).then(setRuns, setError);

  useEffect(() => {
    loadConfigurations();
    loadRuns();
    api('GET', '/api/buckets').then((all) => setRegion(all.find((b) => b.name === bucket)?.region ?? region), () => {});
  }, [bucket]);
  // Live while any run is queued or running: a poll a second.
  useEffect(() => {
    if (!runs.some((r) => ACTIVE.includes(r.state))) return undefined;
    const timer = setTimeout(loadRuns, 1000);
    return () => clearTimeout(timer);
  }, [runs]);

  const save = async (form) => {
    try {
      await api('PUT', `${base}/inventory/${enc(form.id)}?dialect=${form.dialect}`, toXml(form), { raw: true, contentType: 'application/xml' });
      setEditing(null);
      setError(null);
      loadConfigurations();
    } catch (e) { setError(e); }
  };
  const remove = async (c) => {
    try {
      await api('DELETE', `${base}/inventory/${enc(c.id)}`);
      loadConfigurations();
    } catch (e) { setError(e); }
  };
  const runNow = async (c) => {
    try {
      const run = await api('POST', `${base}/inventory/${enc(c.id)}/run`);
      setRuns([run, ...runs]);
      setError(null);
    } catch (e) { setError(e); }
  };

  return html`<section>
    <h2>Inventory of ${bucket}</h2>
    <${Failure} error=${error} />
    ${configurations && html`<table data-testid="configurations">
      <thead><tr><th>Id</th><th>Dialect</th><th>Enabled</th><th>Frequency</th><th>Format</th><th>Destination</th><th></th></tr></thead>
      <tbody>${configurations.map((c) => html`<tr data-id=${c.id}>
        <td>${c.id}</td><td>${c.dialect.toUpperCase()}</td><td>${String(c.enabled)}</td><td>${c.frequency}</td><td>${c.format}</td><td>${c.destination}</td>
        <td class="actions">
          <button onClick=${() => runNow(c)}>Run now</button>
          <button onClick=${() => setEditing({ form: parseForm(c.xml, c.dialect), existing: true })}>Edit</button>
          <button onClick=${() => remove(c)}>Delete</button>
        </td>
      </tr>`)}</tbody>
    </table>`}
    ${editing
      ? html`<${ConfigurationForm} initial=${editing.form} editing=${editing.existing} onSave=${save} onCancel=${() => setEditing(null)} />`
      : html`<button onClick=${() => setEditing({ form: emptyForm(bucket, region), existing: false })}>New configuration</button>`}
    <h3>Runs</h3>
    <table data-testid="runs">
      <thead><tr><th>Job</th><th>Configuration</th><th>State</th><th>Rows scanned</th><th>Files</th><th>Rate</th><th>Started</th><th>Report</th></tr></thead>
      <tbody>${runs.map((r) => html`<tr data-job=${r.jobId} data-state=${r.state}>
        <td>${r.jobId}</td><td>${r.configId}</td><td class="state">${r.state}</td><td class="rows">${r.objectsScanned}</td>
        <td>${r.filesWritten}</td><td>${Math.round(r.rowsPerSecond)} rows/s, ${formatBytes(r.bytesScanned)}</td><td>${formatTime(r.startedAt)}</td>
        <td>
          ${r.manifestKey && html`<a href="#/b/${enc(bucket)}/runs/${enc(r.jobId)}" data-testid="dashboard-link">dashboard</a>${' · '}<a
            href=${downloadUrl(r.destination, r.manifestKey)}>manifest.json</a>`}
          ${r.errorCode && html`<span class="error">${r.errorCode}: ${r.errorMessage}</span>`}
        </td>
      </tr>`)}</tbody>
    </table>
  </section>`;
}
