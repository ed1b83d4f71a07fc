import { useEffect, useRef, useState } from 'preact/hooks';
import { Chart, registerables } from 'chart.js';
import { html } from './html.js';
import { api, downloadUrl, enc, formatBytes, formatTime } from './api.js';
import { Failure } from './objects.js';

Chart.register(...registerables);
Chart.defaults.animation = false;

const COLORS = ['#3b6ea5', '#e07b39', '#5aa469', '#c94c4c', '#8e6bbf', '#c9a227', '#4bb3c4', '#a0522d', '#708090', '#d17fb0'];

/** A Chart.js chart on a canvas of its own, rebuilt when its data changes. */
function ChartCanvas({ type, labels, datasets, testId, options = {} }) {
  const canvas = useRef(null);
  useEffect(() => {
    const chart = new Chart(canvas.current, {
      type,
      data: {
        labels,
        datasets: datasets.map((d, i) => ({
          backgroundColor: type === 'doughnut' ? COLORS : COLORS[i % COLORS.length],
          borderColor: COLORS[i % COLORS.length],
          ...d,
        })),
      },
      options: { responsive: true, maintainAspectRatio: false, ...options },
    });
    return () => chart.destroy();
  }, [type, JSON.stringify(labels), JSON.stringify(datasets)]);
  return html`<div class="chart"><canvas ref=${canvas} data-testid=${testId}></canvas></div>`;
}

/** Objects and bytes of each slice, with its share of the report. */
function SliceTable({ testId, slices, total, name = (s) => s.name, onPick }) {
  return html`<table data-testid=${testId} class="slices">
    <thead><tr><th></th><th>Objects</th><th>Bytes</th><th>Share of bytes</th></tr></thead>
    <tbody>${slices.map((s) => html`<tr data-name=${s.name} data-objects=${s.objects} data-bytes=${s.bytes}>
      <td>${onPick ? html`<a href="#" onClick=${(e) => { e.preventDefault(); onPick(s); }}>${name(s)}</a>` : name(s)}</td>
      <td>${s.objects.toLocaleString('en')}</td><td>${formatBytes(s.bytes)}</td>
      <td>${total.bytes ? ((100 * s.bytes) / total.bytes).toFixed(1) : '0.0'}%</td>
    </tr>`)}</tbody>
  </table>`;
}

function Panel({ title, children }) {
  return html`<section class="panel"><h3>${title}</h3>${children}</section>`;
}

const prefixName = (s) => (s.name === '' ? '(no prefix)' : s.name);

export function Dashboard({ bucket, job }) {
  const [data, setData] = useState(null);
  const [files, setFiles] = useState([]);
  const [drill, setDrill] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api('GET', `/api/buckets/${enc(bucket)}/runs/${enc(job)}`).then(async (loaded) => {
      setData(loaded);
      if (loaded.run.manifestKey) {
        const response = await fetch(downloadUrl(loaded.run.destination, loaded.run.manifestKey), { credentials: 'same-origin' });
        if (response.ok) setFiles((await response.json()).files ?? []);
      }
    }, setError);
  }, [bucket, job]);
  if (error) return html`<${Failure} error=${error} />`;
  if (!data) return html`<p>Loading…</p>`;
  const { run, summary, growth } = data;
  if (!summary) return html`<p>Run ${run.jobId} is ${run.state}: it has no report summary.</p>`;
  const total = { objects: summary.objects, bytes: summary.bytes };
  const multipart = [summary.multipart, { name: 'single PUT', objects: total.objects - summary.multipart.objects, bytes: total.bytes - summary.multipart.bytes }];
  const children = drill ? summary.prefixes.find((p) => p.name === drill)?.children ?? [] : [];
  return html`<div class="dashboard" data-testid="dashboard">
    <h2>Report of ${bucket} · ${run.configId} · ${formatTime(summary.scanStart)}</h2>
    <p class="totals">
      <span data-testid="total-objects" data-value=${summary.objects}>${summary.objects.toLocaleString('en')} objects</span> ·
      <span data-testid="total-bytes" data-value=${summary.bytes}>${formatBytes(summary.bytes)}</span>
      ${summary.deleteMarkers > 0 && html` · ${summary.deleteMarkers} delete markers`} · ${run.format} ·
      <a href=${downloadUrl(run.destination, run.manifestKey)}>manifest.json</a>
      ${files.map((f, i) => html` · <a href=${downloadUrl(run.destination, f.key)}>file ${i + 1}</a>`)}
    </p>
    <div class="grid">
      <${Panel} title="Storage classes">
        <${ChartCanvas} type="doughnut" testId="chart-storage-classes" labels=${summary.storageClasses.map((s) => s.name)}
          datasets=${[{ label: 'bytes', data: summary.storageClasses.map((s) => s.bytes) }]} />
        <${SliceTable} testId="storage-classes" slices=${summary.storageClasses} total=${total} />
      <//>
      <${Panel} title=${drill ? `Prefixes under ${drill}` : 'Top-level prefixes'}>
        <${ChartCanvas} type="bar" testId="chart-prefixes" labels=${(drill ? children : summary.prefixes).map(prefixName)}
          datasets=${[{ label: 'bytes', data: (drill ? children : summary.prefixes).map((s) => s.bytes) }]} />
        ${drill
          ? html`<button onClick=${() => setDrill(null)}>Back to top level</button><${SliceTable} testId="prefix-children" slices=${children} total=${total} name=${prefixName} />`
          : html`<${SliceTable} testId="prefixes" slices=${summary.prefixes} total=${total} name=${prefixName}
              onPick=${(s) => (s.children.length ? setDrill(s.name) : null)} />`}
        ${summary.prefixesCapped && html`<p class="note">Some prefixes are counted together as "(other prefixes)".</p>`}
      <//>
      <${Panel} title="Object sizes">
        <${ChartCanvas} type="bar" testId="chart-sizes" labels=${summary.sizes.map((s) => s.name)}
          datasets=${[{ label: 'objects', data: summary.sizes.map((s) => s.objects) }]} />
        <${SliceTable} testId="sizes" slices=${summary.sizes} total=${total} />
      <//>
      <${Panel} title="Age (last modified)">
        <${ChartCanvas} type="bar" testId="chart-ages" labels=${summary.ages.map((s) => s.name)}
          datasets=${[{ label: 'objects', data: summary.ages.map((s) => s.objects) }]} />
        <${SliceTable} testId="ages" slices=${summary.ages} total=${total} />
      <//>
      <${Panel} title="Multipart uploads">
        <${ChartCanvas} type="doughnut" testId="chart-multipart" labels=${multipart.map((s) => s.name)}
          datasets=${[{ label: 'objects', data: multipart.map((s) => s.objects) }]} />
        <${SliceTable} testId="multipart" slices=${multipart} total=${total} />
      <//>
      <${Panel} title="Encryption">
        <${ChartCanvas} type="doughnut" testId="chart-encryption" labels=${summary.encryption.map((s) => s.name)}
          datasets=${[{ label: 'objects', data: summary.encryption.map((s) => s.objects) }]} />
        <${SliceTable} testId="encryption" slices=${summary.encryption} total=${total} />
      <//>
      <${Panel} title="Growth across reports">
        <${ChartCanvas} type="line" testId="chart-growth" labels=${growth.map((g) => formatTime(g.time))}
          datasets=${[{ label: 'objects', data: growth.map((g) => g.objects), yAxisID: 'y' }, { label: 'bytes', data: growth.map((g) => g.bytes), yAxisID: 'bytes' }]}
          options=${{ scales: { y: { position: 'left' }, bytes: { position: 'right' } } }} />
        <table data-testid="growth"><tbody>${growth.map((g) => html`<tr data-job=${g.jobId} data-objects=${g.objects} data-bytes=${g.bytes}>
          <td>${formatTime(g.time)}</td><td>${g.objects.toLocaleString('en')} objects</td><td>${formatBytes(g.bytes)}</td></tr>`)}</tbody></table>
      <//>
      <${Panel} title="Largest objects">
        <table data-testid="largest"><tbody>${summary.largest.map((o) => html`<tr data-key=${o.key} data-size=${o.size}>
          <td>${o.key}</td><td>${formatBytes(o.size)}</td><td>${o.storageClass}</td><td>${formatTime(o.lastModified)}</td></tr>`)}</tbody></table>
      <//>
    </div>
  </div>`;
}
