import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, downloadUrl, enc, formatBytes, formatTime } from './api.js';

export function Failure({ error }) {
  return error ? html`<p class="error" role="alert" data-testid="error">${error.code}: ${error.message}</p>` : null;
}

export function Buckets() {
  const [buckets, setBuckets] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { api('GET', '/api/buckets').then(setBuckets, setError); }, []);
  return html`<section>
    <h2>Buckets</h2>
    <${Failure} error=${error} />
    ${buckets && html`<table data-testid="buckets">
      <thead><tr><th>Name</th><th>Region</th><th>Created</th><th></th></tr></thead>
      <tbody>${buckets.map((b) => html`<tr>
        <td><a href="#/b/${enc(b.name)}">${b.name}</a></td><td>${b.region}</td><td>${formatTime(b.createdAt)}</td>
        <td><a href="#/b/${enc(b.name)}/inventory">inventory</a></td>
      </tr>`)}</tbody>
    </table>`}
  </section>`;
}

// One row per tag, key and value each in a field of its own: a tag's key may hold '=' and either may start or end with
// spaces, which a key=value line could not carry back as they were.
function Tags({ bucket, object }) {
  const [rows, setRows] = useState(null);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const query = `key=${enc(object.key)}&versionId=${enc(object.versionId)}`;
  useEffect(() => {
    api('GET', `/api/buckets/${enc(bucket)}/tags?${query}`).then((tags) => setRows(tags.map((t) => ({ key: t.key, value: t.value }))), setError);
  }, [bucket, query]);
  // Any edit makes the last "saved" stale.
  const edit = (next) => { setSaved(false); setRows(next); };
  const change = (i, field, value) => edit(rows.map((r, j) => (j === i ? { ...r, [field]: value } : r)));
  const save = async () => {
    try {
      await api('PUT', `/api/buckets/${enc(bucket)}/tags?${query}`, { tags: rows.filter((r) => r.key !== '' || r.value !== '') });
      setError(null);
      setSaved(true);
    } catch (e) { setError(e); }
  };
  return html`<div class="detail" data-testid="tags">
    <${Failure} error=${error} />
    ${rows !== null && html`<table>
      <thead><tr><th>Key</th><th>Value</th><th></th></tr></thead>
      <tbody>${rows.map((r, i) => html`<tr>
        <td><input name="tag-key" value=${r.key} onInput=${(e) => change(i, 'key', e.target.value)} /></td>
        <td><input name="tag-value" value=${r.value} onInput=${(e) => change(i, 'value', e.target.value)} /></td>
        <td><button onClick=${() => edit(rows.filter((_, j) => j !== i))}>remove</button></td>
      </tr>`)}</tbody>
    </table>
    <button onClick=${() => edit([...rows, { key: '', value: '' }])}>Add tag</button>
    <button onClick=${save}>Save tags</button>
    ${saved && html`<span data-testid="tags-saved">saved</span>`}`}
  </div>`;
}

function Versions({ bucket, object, onChange }) {
  const [versions, setVersions] = useState(null);
  const [error, setError] = useState(null);
  const load = () => api('GET', `/api/buckets/${enc(bucket)}/versions?key=${enc(object.key)}`).then(setVersions, setError);
  useEffect(() => { load(); }, [bucket, object.key]);
  const remove = async (v) => {
    try {
      await api('DELETE', `/api/buckets/${enc(bucket)}/object?key=${enc(v.key)}&versionId=${enc(v.versionId)}`);
      await load();
      onChange();
    } catch (e) { setError(e); }
  };
  return html`<div class="detail">
    <${Failure} error=${error} />
    ${versions && html`<table><tbody>${versions.map((v) => html`<tr>
      <td>${v.versionId}</td><td>${v.isDeleteMarker ? 'delete marker' : formatBytes(v.size)}</td><td>${formatTime(v.lastModified)}</td>
      <td>${v.isLatest ? 'latest' : ''}</td>
      <td>${!v.isDeleteMarker && html`<a href=${downloadUrl(bucket, v.key, v.versionId)}>download</a>`}</td>
      <td><button onClick=${() => remove(v)}>delete version</button></td>
    </tr>`)}</tbody></table>`}
  </div>`;
}

export function ObjectBrowser({ bucket, prefix }) {
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const [open, setOpen] = useState({});
  const load = (marker) => api('GET', `/api/buckets/${enc(bucket)}/objects?prefix=${enc(prefix)}${marker ? `&marker=${enc(marker)}` : ''}`)
    .then((next) => setPage(marker && page ? { ...next, prefixes: [...page.prefixes, ...next.prefixes], objects: [...page.objects, ...next.objects] } : next), setError);
  useEffect(() => { setPage(null); setError(null); load(); }, [bucket, prefix]);

  const upload = async (event) => {
    for (const file of event.target.files) {
      try {
        await api('PUT', `/api/buckets/${enc(bucket)}/upload?key=${enc(prefix + file.name)}`, file, { raw: true, contentType: file.type || 'application/octet-stream' });
      } catch (e) { setError(e); }
    }
    event.target.value = '';
    load();
  };
  const remove = async (o) => {
    try {
      await api('DELETE', `/api/buckets/${enc(bucket)}/object?key=${enc(o.key)}`);
      load();
    } catch (e) { setError(e); }
  };
  const toggle = (key, what) => setOpen({ ...open, [key]: open[key] === what ? null : what });
  const crumbs = prefix.split('/').filter(Boolean);
  return html`<section>
    <h2><a href="#/b/${enc(bucket)}">${bucket}</a>${crumbs.map((c, i) => html` / <a href="#/b/${enc(bucket)}?prefix=${enc(crumbs.slice(0, i + 1).join('/') + '/')}">${c}</a>`)}</h2>
    <label class="upload">Upload <input type="file" multiple onChange=${upload} data-testid="upload" /></label>
    <${Failure} error=${error} />
    ${page && html`<table data-testid="objects">
      <thead><tr><th>Key</th><th>Size</th><th>Last modified</th><th>Class</th><th></th></tr></thead>
      <tbody>
        ${page.prefixes.map((p) => html`<tr><td colspan="5"><a href="#/b/${enc(bucket)}?prefix=${enc(p)}">${p.slice(prefix.length)}</a></td></tr>`)}
        ${page.objects.map((o) => html`<tr data-key=${o.key}>
          <td>${o.key.slice(prefix.length)}</td><td>${formatBytes(o.size)}</td><td>${formatTime(o.lastModified)}</td><td>${o.storageClass}</td>
          <td class="actions">
            <a href=${downloadUrl(bucket, o.key)}>download</a>
            <button onClick=${() => toggle(o.key, 'tags')}>tags</button>
            <button onClick=${() => toggle(o.key, 'versions')}>versions</button>
            <button onClick=${() => remove(o)}>delete</button>
            ${open[o.key] === 'tags' && html`<${Tags} bucket=${bucket} object=${o} />`}
            ${open[o.key] === 'versions' && html`<${Versions} bucket=${bucket} object=${o} onChange=${() => load()} />`}
          </td>
        </tr>`)}
      </tbody>
    </table>
    ${page.nextMarker && html`<button onClick=${() => load(page.nextMarker)}>More</button>`}`}
  </section>`;
}
