// Reading delivered inventory reports the way their consumers do: the manifest and its checksum, every file checked
// against the manifest, and the rows read by DuckDB, an independent reader of CSV and Parquet.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export const md5Hex = (bytes) => createHash('md5').update(bytes).digest('hex');

/** Polls `state()` until it names an end state; returns the last answer. */
export async function waitForEnd(state, { timeoutMs = 60_000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await state();
    if (current.State === 'Succeeded' || current.State === 'Failed') return current;
    if (Date.now() > deadline) assert.fail(`the run did not end in time: ${JSON.stringify(current)}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Checks a delivered report: manifest.checksum is the MD5 of manifest.json, and every file the manifest lists has the
 * listed size and MD5. `download(key)` returns the object's bytes. Returns the parsed manifest and the files' bytes.
 */
export async function checkDelivery(download, manifestKey, { md5Field, sizeIsString }) {
  const manifestBytes = await download(manifestKey);
  const checksum = (await download(manifestKey.replace(/manifest\.json$/, 'manifest.checksum'))).toString('ascii');
  assert.equal(checksum, md5Hex(manifestBytes), 'manifest.checksum is the MD5 of manifest.json');
  const manifest = JSON.parse(manifestBytes.toString('utf8'));
  assert.ok(manifest.files.length > 0, 'the manifest lists at least one file');
  const files = [];
  for (const file of manifest.files) {
    const bytes = await download(file.key);
    assert.equal(typeof file.size, sizeIsString ? 'string' : 'number', `the size of ${file.key} is a ${sizeIsString ? 'string' : 'number'}`);
    assert.equal(Number(file.size), bytes.length, `the size of ${file.key} matches the manifest`);
    assert.equal(file[md5Field], md5Hex(bytes), `the MD5 of ${file.key} matches the manifest`);
    files.push({ key: file.key, bytes });
  }
  return { manifest, files };
}

/**
 * The rows of report files as DuckDB reads them, files in manifest order, every value as the CSV report writes it: null
 * as '', numbers in decimal, booleans as true/false, timestamps as ISO 8601 UTC with milliseconds. CSV files are read
 * with `columns` (the manifest's fileSchema) as names (no header row, gzip); Parquet files carry their own names and
 * types, which must equal `columns` ([name, DuckDB type] pairs).
 */
export async function readRows(files, { format, columns }) {
  const folder = mkdtempSync(join(tmpdir(), 'coffer-report-'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const rows = [];
    for (const [index, file] of files.entries()) {
      const path = join(folder, `${index}${format === 'CSV' ? '.csv.gz' : '.parquet'}`);
      writeFileSync(path, file.bytes);
      let sql;
      if (format === 'CSV') {
        sql = `SELECT * FROM read_csv('${path}', header = false, compression = 'gzip', delim = ',', quote = '"', escape = '"', ` +
          `auto_detect = false, columns = {${columns.map((c) => `'${c}': 'VARCHAR'`).join(', ')}})`;
      } else {
        const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`)).getRows();
        assert.deepEqual(described.map(([name, type]) => [name, type]), columns, 'the Parquet schema DuckDB sees');
        // Timestamps as Unix milliseconds, so no time zone setting of DuckDB's can change them.
        const select = described.map(([name, type]) => (type.startsWith('TIMESTAMP') ? `epoch_ms("${name}") AS "${name}"` : `"${name}"`));
        sql = `SELECT ${select.join(', ')} FROM read_parquet('${path}')`;
      }
      const reader = await connection.runAndReadAll(sql);
      const timestamps = format === 'CSV' ? [] : columns.map(([, type]) => type.startsWith('TIMESTAMP'));
      for (const row of reader.getRows()) {
        rows.push(row.map((value, i) => {
          if (value === null) return '';
          return timestamps[i] ? new Date(Number(value)).toISOString() : String(value);
        }));
      }
    }
    return rows;
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(folder, { recursive: true, force: true });
  }
}
