/**
 * Reads a zip archive's central directory from an archive held in memory, inflating nothing.
 * The central directory is the only place a zip records Unix modes (so symlinks, devices and the
 * execute bit), which a streaming reader of local headers (fflate's `Unzip`) never sees.
 * ZIP64 records are followed; multi-disk archives are refused.
 */

export interface ZipEntry {
  readonly name: string;
  /** 0: stored, 8: deflated; anything else is refused by the stager. */
  readonly method: number;
  readonly encrypted: boolean;
  readonly crc32: number;
  /** As the archive declares it: a hostile archive may lie, so extraction counts real bytes. */
  readonly uncompressedSize: number;
  /** `st_mode` when a Unix archiver recorded one, else null. */
  readonly unixMode: number | null;
  /** The compressed bytes: a view into the archive, not a copy. */
  readonly data: Uint8Array;
}

export interface ZipDirectory {
  /** Entries the directory declares; read before any entry is, so a cap costs nothing. */
  readonly count: number;
  entries(): Generator<ZipEntry>;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
/** "Version made by" hosts whose external attributes carry st_mode: Unix and OS X. */
const UNIX_HOSTS = new Set([3, 19]);

/** Throws a plain Error saying what is malformed; the caller names the archive. */
export function openZip(zip: Uint8Array): ZipDirectory {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const at = (offset: number, bytes: number): number => {
    if (offset < 0 || offset + bytes > zip.byteLength) throw new Error('truncated archive');
    return offset;
  };
  const u16 = (o: number): number => view.getUint16(at(o, 2), true);
  const u32 = (o: number): number => view.getUint32(at(o, 4), true);
  const u64 = (o: number): number => {
    const n = view.getBigUint64(at(o, 8), true);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('ZIP64 field out of range');
    return Number(n);
  };

  const eocd = findEocd(zip, u32);
  if (u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0) throw new Error('multi-disk archives are not supported');
  let count = u16(eocd + 10);
  let cdOffset = u32(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) {
    if (u32(eocd - 20) !== EOCD64_LOCATOR) throw new Error('ZIP64 locator missing');
    const eocd64 = u64(eocd - 20 + 8);
    if (u32(eocd64) !== EOCD64) throw new Error('ZIP64 end of central directory missing');
    count = u64(eocd64 + 32);
    cdOffset = u64(eocd64 + 48);
  }

  function* entries(): Generator<ZipEntry> {
    let p = cdOffset;
    for (let i = 0; i < count; i++) {
      if (u32(p) !== CENTRAL) throw new Error(`central directory entry ${i} is malformed`);
      const madeBy = u16(p + 4);
      const flags = u16(p + 8);
      const nameLength = u16(p + 28);
      const extraLength = u16(p + 30);
      const name = new TextDecoder().decode(zip.subarray(at(p + 46, nameLength), p + 46 + nameLength));
      const sizes = zip64Sizes(zip.subarray(at(p + 46 + nameLength, extraLength), p + 46 + nameLength + extraLength), {
        uncompressed: u32(p + 24),
        compressed: u32(p + 20),
        local: u32(p + 42),
      });
      const external = u32(p + 38) >>> 16;
      const local = sizes.local;
      if (u32(local) !== LOCAL) throw new Error(`entry "${name}": local header missing`);
      const dataStart = local + 30 + u16(local + 26) + u16(local + 28);
      yield {
        name,
        method: u16(p + 10),
        encrypted: (flags & 1) !== 0,
        crc32: u32(p + 16),
        uncompressedSize: sizes.uncompressed,
        unixMode: UNIX_HOSTS.has(madeBy >> 8) && external !== 0 ? external : null,
        data: zip.subarray(at(dataStart, sizes.compressed), dataStart + sizes.compressed),
      };
      p += 46 + nameLength + extraLength + u16(p + 32);
    }
  }
  return { count, entries };
}

/** The end-of-central-directory record: the last 22 bytes, or earlier by a comment of up to 65,535. */
function findEocd(zip: Uint8Array, u32: (o: number) => number): number {
  const lowest = Math.max(0, zip.byteLength - 22 - 0xffff);
  for (let p = zip.byteLength - 22; p >= lowest; p--) {
    if (u32(p) === EOCD) return p;
  }
  throw new Error('end of central directory not found');
}

/** Fields stored as 0xFFFFFFFF live in the ZIP64 extra field (id 1), in this order. */
function zip64Sizes(extra: Uint8Array, fields: { uncompressed: number; compressed: number; local: number }): typeof fields {
  const keys = (['uncompressed', 'compressed', 'local'] as const).filter((k) => fields[k] === 0xffffffff);
  if (keys.length === 0) return fields;
  const view = new DataView(extra.buffer, extra.byteOffset, extra.byteLength);
  for (let p = 0; p + 4 <= extra.byteLength; p += 4 + view.getUint16(p + 2, true)) {
    if (view.getUint16(p, true) !== 1) continue;
    const out = { ...fields };
    keys.forEach((k, i) => {
      if (p + 4 + i * 8 + 8 > extra.byteLength) throw new Error('ZIP64 extra field truncated');
      const n = view.getBigUint64(p + 4 + i * 8, true);
      if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('ZIP64 field out of range');
      out[k] = Number(n);
    });
    return out;
  }
  throw new Error('ZIP64 extra field missing');
}
