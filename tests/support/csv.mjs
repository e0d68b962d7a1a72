// CSV for the end-to-end tests (no dependency): RFC 4180 parsing and rows as objects, for
// reading what the staff export writes.

import assert from 'node:assert/strict';

/** RFC 4180: quoted fields (with "" and line breaks inside), CRLF or LF rows. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      /* the \n ends the row */
    } else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '');
    else field += c;
  }
  assert.equal(quoted, false, 'the CSV ends outside a quoted field');
  if (field !== '' || row.length) row.push(field), rows.push(row);
  return rows;
}

/** The rows of a CSV with a header line, as objects; checks every row has the header's width. */
export function csvRecords(buf, name) {
  const [header, ...rows] = parseCsv(buf.toString('utf8').replace(/^\ufeff/, ''));
  assert.ok(header?.length, `${name} has a header row`);
  return {
    header,
    records: rows.map((r, i) => {
      assert.equal(r.length, header.length, `${name} row ${i + 1} has ${header.length} fields: ${JSON.stringify(r)}`);
      return Object.fromEntries(header.map((h, j) => [h, r[j]]));
    }),
  };
}
