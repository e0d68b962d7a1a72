// A small ZIP reader for the end-to-end tests (no dependency): reads the central directory, so it
// also reads streamed archives whose local headers leave the sizes to a data descriptor (as the
// server's export writes them). Stored and deflated entries, ZIP64 sizes and offsets; every
// entry's CRC-32 is checked when it is read.
//
//   const zip = readZip(await fs.readFile(file));
//   zip.names()                  // ['cases.csv', ...] in central-directory order
//   zip.read('cases.csv')        // Buffer (throws if absent or corrupt)

import zlib from 'node:zlib';

const EOCD = 0x06054b50;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Parses `buf` (a whole ZIP file). */
export function readZip(buf) {
  const eocd = findEocd(buf);
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || buf.readUInt32LE(locator) !== ZIP64_LOCATOR) throw new Error('zip: ZIP64 values without a ZIP64 locator');
    const z64 = Number(buf.readBigUInt64LE(locator + 8));
    if (buf.readUInt32LE(z64) !== ZIP64_EOCD) throw new Error('zip: no ZIP64 end of central directory record');
    count = Number(buf.readBigUInt64LE(z64 + 32));
    cdSize = Number(buf.readBigUInt64LE(z64 + 40));
    cdOffset = Number(buf.readBigUInt64LE(z64 + 48));
  }
  if (cdOffset + cdSize > buf.length) throw new Error(`zip: the central directory (${cdOffset}+${cdSize}) lies past the end (${buf.length})`);

  const entries = new Map();
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(at) !== CENTRAL) throw new Error(`zip: no central directory header at ${at} (entry ${i})`);
    const flags = buf.readUInt16LE(at + 8);
    const method = buf.readUInt16LE(at + 10);
    const crc = buf.readUInt32LE(at + 16);
    let compressedSize = buf.readUInt32LE(at + 20);
    let size = buf.readUInt32LE(at + 24);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    let localOffset = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLen).toString(flags & 0x800 ? 'utf8' : 'latin1');
    // ZIP64 extended information: only the fields whose 32-bit value is 0xFFFFFFFF, in order.
    const extra = buf.subarray(at + 46 + nameLen, at + 46 + nameLen + extraLen);
    for (let e = 0; e + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(e);
      const len = extra.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let f = e + 4;
        if (size === 0xffffffff) (size = Number(extra.readBigUInt64LE(f))), (f += 8);
        if (compressedSize === 0xffffffff) (compressedSize = Number(extra.readBigUInt64LE(f))), (f += 8);
        if (localOffset === 0xffffffff) localOffset = Number(extra.readBigUInt64LE(f));
      }
      e += 4 + len;
    }
    if (entries.has(name)) throw new Error(`zip: ${name} appears twice`);
    entries.set(name, { name, flags, method, crc, compressedSize, size, localOffset });
    at += 46 + nameLen + extraLen + commentLen;
  }

  function read(name) {
    const e = entries.get(name);
    if (!e) throw new Error(`zip: no entry ${name} (entries: ${[...entries.keys()].join(', ')})`);
    if (buf.readUInt32LE(e.localOffset) !== LOCAL) throw new Error(`zip: no local header for ${name} at ${e.localOffset}`);
    const start = e.localOffset + 30 + buf.readUInt16LE(e.localOffset + 26) + buf.readUInt16LE(e.localOffset + 28);
    const raw = buf.subarray(start, start + e.compressedSize);
    if (raw.length !== e.compressedSize) throw new Error(`zip: ${name} is cut short`);
    let data;
    if (e.method === 0) data = Buffer.from(raw);
    else if (e.method === 8) data = zlib.inflateRawSync(raw);
    else throw new Error(`zip: ${name} uses compression method ${e.method}`);
    if (data.length !== e.size) throw new Error(`zip: ${name} is ${data.length} bytes, the central directory says ${e.size}`);
    const crc = zlib.crc32(data);
    if (crc !== e.crc) throw new Error(`zip: ${name} has CRC-32 ${crc.toString(16)}, the central directory says ${e.crc.toString(16)}`);
    return data;
  }

  return {
    names: () => [...entries.keys()],
    entry: (name) => entries.get(name),
    read,
  };
}

function findEocd(buf) {
  // The record is 22 bytes plus a comment of at most 65535.
  const lowest = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= lowest; i--) {
    if (buf.readUInt32LE(i) === EOCD && i + 22 + buf.readUInt16LE(i + 20) === buf.length) return i;
  }
  throw new Error(`zip: no end of central directory record (${buf.length} bytes; not a ZIP file?)`);
}
