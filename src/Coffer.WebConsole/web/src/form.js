import { useState } from 'preact/hooks';
import { html } from './html.js';

// Every field of both dialects' inventory configurations. The form writes the API's own XML for the chosen dialect;
// the server reads it with the same parser and rules as PUT Bucket inventory.
export const FIELDS = {
  cos: ['Size', 'LastModifiedDate', 'ETag', 'StorageClass', 'IsMultipartUploaded', 'ReplicationStatus', 'Tag', 'Crc64'],
  s3: ['Size', 'LastModifiedDate', 'ETag', 'StorageClass', 'IsMultipartUploaded', 'ReplicationStatus', 'EncryptionStatus',
    'ObjectLockRetainUntilDate', 'ObjectLockMode', 'ObjectLockLegalHoldStatus', 'IntelligentTieringAccessTier', 'BucketKeyStatus',
    'ChecksumAlgorithm', 'ObjectAccessControlList', 'ObjectOwner', 'LifecycleExpirationDate'],
};

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export function emptyForm(bucket, region) {
  return {
    dialect: 'cos', id: '', enabled: true, format: 'CSV', accountId: '', destination: `qcs::cos:${region}::${bucket}`, prefix: '',
    encryption: '', kmsKeyId: '', frequency: 'Daily', monthlyDate: '', versions: 'Current', fields: ['Size', 'LastModifiedDate', 'StorageClass'],
    metadata: '', filterPrefix: '', filterTags: '', filterStorageClass: '', periodStart: '', periodEnd: '',
  };
}

const text = (parent, name) => parent?.getElementsByTagName(name)[0]?.textContent ?? '';

/** The form's values from a configuration's XML, as the API returns it. */
export function parseForm(xml, dialect) {
  const doc = new DOMParser().parseFromString(xml, 'application/xml').documentElement;
  const destination = doc.getElementsByTagName(dialect === 's3' ? 'S3BucketDestination' : 'COSBucketDestination')[0];
  const encryption = destination?.getElementsByTagName('Encryption')[0]?.firstElementChild?.tagName ?? '';
  const filter = doc.getElementsByTagName('Filter')[0];
  const fields = [...doc.getElementsByTagName('Field')].map((f) => f.textContent);
  return {
    dialect, id: text(doc, 'Id'), enabled: text(doc, 'IsEnabled') !== 'false', format: text(destination, 'Format'),
    accountId: text(destination, 'AccountId'), destination: text(destination, 'Bucket'), prefix: text(destination, 'Prefix'),
    encryption, kmsKeyId: text(destination, 'KeyId'), frequency: text(doc, 'Frequency'), monthlyDate: text(doc, 'MonthlyDate'),
    versions: text(doc, 'IncludedObjectVersions'),
    fields: fields.filter((f) => !f.startsWith('x-cos-meta-')),
    metadata: fields.filter((f) => f.startsWith('x-cos-meta-')).map((f) => f.slice('x-cos-meta-'.length)).join(', '),
    filterPrefix: text(filter, 'Prefix'),
    filterTags: [...(filter?.getElementsByTagName('Tag') ?? [])].map((t) => `${text(t, 'Key')}=${text(t, 'Value')}`).join('\n'),
    filterStorageClass: text(filter, 'StorageClass'), periodStart: text(filter, 'StartTime'), periodEnd: text(filter, 'EndTime'),
  };
}

/** The XML the API takes for the form's values, in the form's dialect. */
export function toXml(form) {
  const doc = document.implementation.createDocument(form.dialect === 's3' ? S3_NS : null, 'InventoryConfiguration', null);
  const root = doc.documentElement;
  const add = (parent, name, value) => {
    const element = form.dialect === 's3' ? doc.createElementNS(S3_NS, name) : doc.createElement(name);
    if (value !== undefined) element.textContent = value;
    parent.appendChild(element);
    return element;
  };
  const fields = [...form.fields, ...form.metadata.split(',').map((m) => m.trim()).filter(Boolean).map((m) => `x-cos-meta-${m}`)];
  const tags = form.filterTags.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => l.split('='));
  const writeDestination = () => {
    const destination = add(add(root, 'Destination'), form.dialect === 's3' ? 'S3BucketDestination' : 'COSBucketDestination');
    const parts = form.dialect === 's3'
      ? [['AccountId', form.accountId], ['Bucket', form.destination], ['Format', form.format], ['Prefix', form.prefix]]
      : [['Format', form.format], ['AccountId', form.accountId], ['Bucket', form.destination], ['Prefix', form.prefix]];
    for (const [name, value] of parts) if (value) add(destination, name, value);
    if (form.encryption) {
      const kind = add(add(destination, 'Encryption'), form.encryption);
      if (form.encryption === 'SSE-KMS') add(kind, 'KeyId', form.kmsKeyId);
    }
  };
  const writeSchedule = () => {
    const schedule = add(root, 'Schedule');
    add(schedule, 'Frequency', form.frequency);
    if (form.frequency === 'Monthly' && form.monthlyDate) add(schedule, 'MonthlyDate', form.monthlyDate);
  };
  const writeFields = () => {
    const optional = add(root, 'OptionalFields');
    for (const f of fields) add(optional, 'Field', f);
  };
  if (form.dialect === 's3') {
    writeDestination();
    add(root, 'IsEnabled', String(form.enabled));
    if (form.filterPrefix) add(add(root, 'Filter'), 'Prefix', form.filterPrefix);
    add(root, 'Id', form.id);
    add(root, 'IncludedObjectVersions', form.versions);
    writeFields();
    writeSchedule();
  } else {
    add(root, 'Id', form.id);
    add(root, 'IsEnabled', String(form.enabled));
    writeDestination();
    writeSchedule();
    if (form.filterPrefix || tags.length || form.filterStorageClass || form.periodStart || form.periodEnd) {
      const filter = add(root, 'Filter');
      if (tags.length || form.filterStorageClass) {
        const and = add(filter, 'And');
        if (form.filterPrefix) add(and, 'Prefix', form.filterPrefix);
        for (const [key, value = ''] of tags) {
          const tag = add(and, 'Tag');
          add(tag, 'Key', key);
          add(tag, 'Value', value);
        }
        if (form.filterStorageClass) add(and, 'StorageClass', form.filterStorageClass);
      } else if (form.filterPrefix) {
        add(filter, 'Prefix', form.filterPrefix);
      }
      if (form.periodStart || form.periodEnd) {
        const period = add(filter, 'Period');
        if (form.periodStart) add(period, 'StartTime', form.periodStart);
        if (form.periodEnd) add(period, 'EndTime', form.periodEnd);
      }
    }
    add(root, 'IncludedObjectVersions', form.versions);
    writeFields();
  }
  return new XMLSerializer().serializeToString(doc);
}

export function ConfigurationForm({ initial, editing, onSave, onCancel }) {
  const [form, setForm] = useState(initial);
  const set = (name) => (event) => setForm({ ...form, [name]: event.target.type === 'checkbox' ? event.target.checked : event.target.value });
  const setDialect = (event) => {
    const dialect = event.target.value;
    const name = form.destination.slice(form.destination.lastIndexOf(':') + 1);
    const region = form.destination.startsWith('qcs::cos:') ? form.destination.split(':')[3] : 'ap-guangzhou';
    setForm({
      ...form, dialect, encryption: '', fields: form.fields.filter((f) => FIELDS[dialect].includes(f)),
      destination: dialect === 's3' ? `arn:aws:s3:::${name}` : `qcs::cos:${region}::${name}`,
      frequency: dialect === 's3' && form.frequency === 'Monthly' ? 'Daily' : form.frequency,
    });
  };
  const toggleField = (field) => setForm({ ...form, fields: form.fields.includes(field) ? form.fields.filter((f) => f !== field) : [...form.fields, field] });
  const cos = form.dialect === 'cos';
  const submit = (event) => {
    event.preventDefault();
    onSave(form);
  };
  return html`<form class="config" onSubmit=${submit} data-testid="config-form">
    <fieldset><legend>Configuration</legend>
      <label>Dialect <select name="dialect" value=${form.dialect} disabled=${editing} onChange=${setDialect}>
        <option value="cos">COS</option><option value="s3">S3</option></select></label>
      <label>Id <input name="id" value=${form.id} disabled=${editing} required onInput=${set('id')} /></label>
      <label><input type="checkbox" name="enabled" checked=${form.enabled} onChange=${set('enabled')} /> Enabled</label>
      <label>Frequency <select name="frequency" value=${form.frequency} onChange=${set('frequency')}>
        <option>Daily</option><option>Weekly</option>${cos && html`<option>Monthly</option>`}</select></label>
      ${cos && form.frequency === 'Monthly' && html`<label>Day of month <input name="monthlyDate" type="number" min="1" max="31" value=${form.monthlyDate} onInput=${set('monthlyDate')} /></label>`}
      <label>Object versions <select name="versions" value=${form.versions} onChange=${set('versions')}>
        <option>Current</option><option>All</option></select></label>
    </fieldset>
    <fieldset><legend>Destination</legend>
      <label>Bucket <input name="destination" value=${form.destination} required onInput=${set('destination')}
        placeholder=${cos ? 'qcs::cos:<region>::<name>-<APPID>' : 'arn:aws:s3:::<name>-<APPID>'} /></label>
      <label>Account id <input name="accountId" value=${form.accountId} onInput=${set('accountId')} /></label>
      <label>Prefix <input name="prefix" value=${form.prefix} onInput=${set('prefix')} /></label>
      <label>Format <select name="format" value=${form.format} onChange=${set('format')}>
        <option>CSV</option><option>ORC</option><option>Parquet</option></select></label>
      <label>Encryption <select name="encryption" value=${form.encryption} onChange=${set('encryption')}>
        <option value="">none</option>
        ${cos ? html`<option value="SSE-COS">SSE-COS</option>` : html`<option value="SSE-S3">SSE-S3</option><option value="SSE-KMS">SSE-KMS</option>`}
      </select></label>
      ${form.encryption === 'SSE-KMS' && html`<label>KMS key id <input name="kmsKeyId" value=${form.kmsKeyId} onInput=${set('kmsKeyId')} /></label>`}
    </fieldset>
    <fieldset><legend>Filter</legend>
      <label>Prefix <input name="filterPrefix" value=${form.filterPrefix} onInput=${set('filterPrefix')} /></label>
      ${cos && html`
        <label>Tags (key=value per line) <textarea name="filterTags" rows="2" value=${form.filterTags} onInput=${set('filterTags')} /></label>
        <label>Storage class <input name="filterStorageClass" value=${form.filterStorageClass} onInput=${set('filterStorageClass')} /></label>
        <label>Created from (Unix seconds) <input name="periodStart" value=${form.periodStart} onInput=${set('periodStart')} /></label>
        <label>Created until (Unix seconds) <input name="periodEnd" value=${form.periodEnd} onInput=${set('periodEnd')} /></label>`}
    </fieldset>
    <fieldset><legend>Optional fields</legend>
      ${FIELDS[form.dialect].map((f) => html`<label class="field"><input type="checkbox" name=${`field-${f}`} checked=${form.fields.includes(f)} onChange=${() => toggleField(f)} /> ${f}</label>`)}
      ${cos && html`<label>Custom metadata (names, comma separated) <input name="metadata" value=${form.metadata} onInput=${set('metadata')} /></label>`}
    </fieldset>
    <button type="submit">Save configuration</button> <button type="button" onClick=${onCancel}>Cancel</button>
  </form>`;
}
