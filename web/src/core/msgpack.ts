/**
 * A minimal MessagePack decoder: what the server's `format=msgpack` answers use (maps, arrays,
 * strings, binary, numbers, nil, booleans). Binary values come back as Uint8Array views (no copy);
 * `column` turns the server's `{dtype: "<f8" | "<i8", data}` columns into plain number arrays.
 * Extension types are not used by the server and are rejected.
 */

export type Packed = null | boolean | number | string | Uint8Array | Packed[] | { [k: string]: Packed };

const utf8 = new TextDecoder();

export function decode(buf: ArrayBuffer | Uint8Array): Packed {
  const bytes = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;

  const str = (n: number): string => {
    const s = utf8.decode(bytes.subarray(pos, pos + n));
    pos += n;
    return s;
  };
  const bin = (n: number): Uint8Array => {
    const b = bytes.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const arr = (n: number): Packed[] => {
    const out: Packed[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = read();
    return out;
  };
  const map = (n: number): { [k: string]: Packed } => {
    const out: { [k: string]: Packed } = {};
    for (let i = 0; i < n; i++) {
      const k = read();
      out[String(k)] = read();
    }
    return out;
  };
  const u8 = () => view.getUint8(pos++);
  const u16 = () => ((pos += 2), view.getUint16(pos - 2));
  const u32 = () => ((pos += 4), view.getUint32(pos - 4));

  function read(): Packed {
    if (pos >= bytes.length) throw new Error("msgpack: truncated");
    const t = u8();
    if (t <= 0x7f) return t;
    if (t >= 0xe0) return t - 0x100;
    if ((t & 0xf0) === 0x80) return map(t & 0x0f);
    if ((t & 0xf0) === 0x90) return arr(t & 0x0f);
    if ((t & 0xe0) === 0xa0) return str(t & 0x1f);
    switch (t) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return bin(u8());
      case 0xc5: return bin(u16());
      case 0xc6: return bin(u32());
      case 0xca: return ((pos += 4), view.getFloat32(pos - 4));
      case 0xcb: return ((pos += 8), view.getFloat64(pos - 8));
      case 0xcc: return u8();
      case 0xcd: return u16();
      case 0xce: return u32();
      case 0xcf: return ((pos += 8), Number(view.getBigUint64(pos - 8)));
      case 0xd0: return ((pos += 1), view.getInt8(pos - 1));
      case 0xd1: return ((pos += 2), view.getInt16(pos - 2));
      case 0xd2: return ((pos += 4), view.getInt32(pos - 4));
      case 0xd3: return ((pos += 8), Number(view.getBigInt64(pos - 8)));
      case 0xd9: return str(u8());
      case 0xda: return str(u16());
      case 0xdb: return str(u32());
      case 0xdc: return arr(u16());
      case 0xdd: return arr(u32());
      case 0xde: return map(u16());
      case 0xdf: return map(u32());
    }
    throw new Error(`msgpack: unsupported type 0x${t.toString(16)}`);
  }

  const v = read();
  if (pos !== bytes.length) throw new Error("msgpack: trailing bytes");
  return v;
}

/**
 * A column of a msgpack answer as numbers: `{dtype, data}` (little-endian float64 or int64) or
 * already a list. Non-finite floats become null when `finite` is set (as the JSON path does).
 */
export function column(v: Packed | undefined, finite = false): (number | null)[] {
  if (v == null) return [];
  if (Array.isArray(v)) return v.map((x) => (typeof x === "number" && (!finite || Number.isFinite(x)) ? x : null));
  if (typeof v !== "object" || v instanceof Uint8Array) throw new Error("msgpack: not a column");
  const { dtype, data } = v as { dtype?: Packed; data?: Packed };
  if (!(data instanceof Uint8Array)) throw new Error("msgpack: column without data");
  const n = data.byteLength / 8;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: (number | null)[] = new Array(n);
  if (dtype === "<f8") {
    for (let i = 0; i < n; i++) {
      const x = dv.getFloat64(i * 8, true);
      out[i] = finite && !Number.isFinite(x) ? null : x;
    }
  } else if (dtype === "<i8") {
    for (let i = 0; i < n; i++) {
      // int64 as two halves: exact up to 2^53, without BigInt allocations
      const lo = dv.getUint32(i * 8, true);
      const hi = dv.getInt32(i * 8 + 4, true);
      out[i] = hi * 4294967296 + lo;
    }
  } else throw new Error(`msgpack: unsupported dtype ${String(dtype)}`);
  return out;
}
