import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { currentUser, signIn, signOut } from './api.js';
import { Buckets, ObjectBrowser } from './objects.js';
import { InventoryPage } from './inventory.js';
import { Dashboard } from './dashboard.js';
import { JobsPage } from './jobs.js';
import './style.css';

// Routes live in the hash: #/ buckets, #/jobs batch jobs, #/b/<bucket>?prefix=p objects, #/b/<bucket>/inventory, #/b/<bucket>/runs/<job>.
function useRoute() {
  const read = () => {
    const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
    return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query) };
  };
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function SignIn({ onSignedIn }) {
  const [error, setError] = useState('');
  const submit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    try {
      onSignedIn(await signIn(form.get('secretId'), form.get('secretKey')));
    } catch (e) {
      setError(e.message);
    }
  };
  return html`<main class="signin">
    <h1>Coffer console</h1>
    <form onSubmit=${submit} data-testid="signin">
      <label>SecretId <input name="secretId" autocomplete="username" required /></label>
      <label>SecretKey <input name="secretKey" type="password" autocomplete="current-password" required /></label>
      <button type="submit">Sign in</button>
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </form>
  </main>`;
}

function Page({ user, route, onSignedOut }) {
  const [bucket, section, job] = route.parts.length > 1 && route.parts[0] === 'b' ? route.parts.slice(1) : [];
  let body;
  if (route.parts[0] === 'jobs') body = html`<${JobsPage} />`;
  else if (!bucket) body = html`<${Buckets} />`;
  else if (section === 'inventory') body = html`<${InventoryPage} bucket=${bucket} />`;
  else if (section === 'runs' && job) body = html`<${Dashboard} bucket=${bucket} job=${job} />`;
  else body = html`<${ObjectBrowser} bucket=${bucket} prefix=${route.query.get('prefix') ?? ''} />`;
  return html`<div>
    <header>
      <a href="#/" class="brand">Coffer</a>
      <a href="#/jobs" data-testid="jobs-link">jobs</a>
      ${bucket && html`<nav><a href="#/b/${encodeURIComponent(bucket)}">objects</a> <a href="#/b/${encodeURIComponent(bucket)}/inventory">inventory</a></nav>`}
      <span class="who" data-testid="who">${user.name} (APPID ${user.appId}, uin ${user.uin})</span>
      <button onClick=${async () => { await signOut(); onSignedOut(); }}>Sign out</button>
    </header>
    <main>${body}</main>
  </div>`;
}

function App() {
  const [user, setUser] = useState(undefined);
  const route = useRoute();
  useEffect(() => { currentUser().then(setUser, () => setUser(null)); }, []);
  if (user === undefined) return html`<p>Loading…</p>`;
  if (user === null) return html`<${SignIn} onSignedIn=${setUser} />`;
  return html`<${Page} user=${user} route=${route} onSignedOut=${() => setUser(null)} />`;
}

render(html`<${App} />`, document.getElementById('app'));
