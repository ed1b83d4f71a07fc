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

function Tags({ bucket, object }) {
  const [text, setText] = useState(null);
  const [error, setError] = useState(null);
  const query = `key=${enc(object.key)}&versionId=${enc(object.versionId)}`;
  useEffect(() => {
    api('GET', `/api/buckets/${enc(bucket)}/tags?${query}`).then((tags) => setText(tags.map((t) => `${t.key}=${t.value}`).join('\n')), setError);
  }, [bucket, query]);
  const save = async () => {
    const tags = text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
      const at = l.indexOf('=');
      return at < 0 ? { key: l, value: '' } : { key: l.slice(0, at), value: l.slice(at + 1) };
    });
    try {
      await api('PUT', `/api/buckets/${enc(bucket)}/tags?${query}`, { tags });
      setError(null);
    } catch (e) { setError(e); }
  };
  return html`<div class="detail">
    <${Failure} error=${error} />
    ${text !== null && html`<label>Tags (key=value per line)<textarea rows="3" value=${text} onInput=${(e) => setText(e.target.value)} /></label>
      <button onClick=${save}>Save tags</button>`}
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
