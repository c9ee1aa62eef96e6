"""Reads a qvg quantized-cache file (.qvg.safetensors) in Python, verifies it and decodes it.

Needs only numpy (no PyTorch, no safetensors package: the format is an 8-byte length, a JSON
header and raw little-endian data, read here directly; Debian: apt-get install python3-numpy)
    python3 qvg_read.py FILE.qvg.safetensors            # verify, print shapes and bit accounting
    python3 qvg_read.py FILE.qvg.safetensors --npy DIR  # also write each decoded entry as DIR/NAME.npy

Decoding follows the Java reference decoder (dev.qvg.api.quant.ReferenceDecoder) in float32
with the same operation order, so the result is bit-identical to Java's. See qvg-io/README.md.
"""
import hashlib
import json
import struct
import sys

import numpy as np

# safetensors dtype -> numpy dtype of the raw little-endian elements (BF16 kept as its bit pattern)
DTYPES = {"U8": "u1", "I8": "i1", "U16": "<u2", "I16": "<i2", "I32": "<i4", "U32": "<u4", "I64": "<i8",
          "F16": "<f2", "BF16": "<u2", "F32": "<f4", "F64": "<f8"}


def read_header(path):
    """The safetensors header (a dict) and the file offset where the data section starts."""
    with open(path, "rb") as f:
        raw = f.read(8)
        if len(raw) != 8:
            raise ValueError(f"{path}: shorter than the 8-byte header length")
        n = struct.unpack("<Q", raw)[0]
        text = f.read(n)
        if len(text) != n:
            raise ValueError(f"{path}: header length {n} beyond the end of the file")
        return json.loads(text), 8 + n


def load_tensors(path, header, data_start):
    """Every tensor of the file as a numpy array of its raw elements, checked against its offsets."""
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        dt = np.dtype(DTYPES[t["dtype"]])
        begin, end = t["data_offsets"]
        count = int(np.prod(t["shape"], dtype=np.int64))
        if end - begin != count * dt.itemsize:
            raise ValueError(f"{path}: tensor '{name}': offsets hold {end - begin} bytes, shape needs {count * dt.itemsize}")
        arr = np.fromfile(path, dtype=dt, count=count, offset=data_start + begin)
        if arr.size != count:
            raise ValueError(f"{path}: tensor '{name}': the file ends inside it")
        out[name] = arr.reshape(t["shape"])
    return out


def header_digest(meta, header):
    """SHA-256 over sorted 'key=value' metadata lines (minus the digest) and sorted tensor lines."""
    lines = [f"{k}={v}\n" for k, v in sorted(meta.items()) if k != "qvg.header_sha256"]
    for name in sorted(k for k in header if k != "__metadata__"):
        t = header[name]
        lines.append(f"tensor {name} {t['dtype']} {','.join(str(d) for d in t['shape'])}\n")
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def bf16_bits_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def fp8_e4m3_to_f32(b):
    b = b.astype(np.int32)
    sign = np.where(b & 0x80, -1.0, 1.0)
    e = (b >> 3) & 0xF
    m = (b & 7).astype(np.float64)
    v = np.where(e == 0, m / 8 * 2.0 ** -6, (1 + m / 8) * 2.0 ** (e - 7))
    v = np.where((e == 15) & ((b & 7) == 7), np.nan, v)
    return (sign * v).astype(np.float32)


def unpack_codes(codes, cols, bits, symmetric):
    if bits == 8:
        c = codes[:, :cols].view(np.int8 if symmetric else np.uint8).astype(np.int32)
        return c
    stream = np.unpackbits(codes, axis=1)[:, : cols * bits].reshape(codes.shape[0], cols, bits)
    weights = (1 << np.arange(bits - 1, -1, -1)).astype(np.int32)
    u = (stream.astype(np.int32) * weights).sum(axis=2)
    return u - ((1 << (bits - 1)) - 1) if symmetric else u


def decode(tensors, meta, p):
    B, H, S, D = (int(x) for x in meta[p + ".shape"].split(","))
    n, sq = B * H, int(meta[p + ".quantized_tokens"])
    out = np.zeros((n, S, D), dtype=np.float32)
    if sq > 0:
        bits, block = int(meta[p + ".bits"]), int(meta[p + ".block_size"])
        sym = meta[p + ".symmetric"] == "true"
        fp8 = meta[p + ".scale_precision"] == "FP8_E4M3"
        rows, cols = int(meta[p + ".rows"]), int(meta[p + ".cols"])
        conv = fp8_e4m3_to_f32 if fp8 else bf16_bits_to_f32
        scale = np.repeat(conv(tensors[p + ".scales"]), block, axis=1)
        q = unpack_codes(tensors[p + ".codes"], cols, bits, sym).astype(np.float32) * scale
        if not sym:
            q = q + np.repeat(conv(tensors[p + ".zeros"]), block, axis=1)
        if meta[p + ".orientation"] == "TOKEN_MAJOR":
            out[:, :sq, :] = q.reshape(n, sq, D)
        else:
            out[:, :sq, :] = q.reshape(n, D, sq).transpose(0, 2, 1)
        for s in range(int(meta[p + ".stages"])):
            cents = bf16_bits_to_f32(tensors[f"{p}.stage{s}.centroids"])
            ids = tensors[f"{p}.stage{s}.ids"].astype(np.int64)
            out[:, :sq, :] += cents[np.arange(n)[:, None], ids]
    if sq < S:
        out[:, sq:, :] = bf16_bits_to_f32(tensors[p + ".tail"]).reshape(n, S - sq, D)
    return out.reshape(B, H, S, D)


def read(path):
    header, data_start = read_header(path)
    meta = header.get("__metadata__", {})
    if meta.get("qvg.format") != "qvg-quantized-kv" or meta.get("qvg.format_version") != "1":
        raise ValueError(f"{path}: not a version-1 qvg quantized-cache file")
    if header_digest(meta, header) != meta["qvg.header_sha256"]:
        raise ValueError(f"{path}: header checksum mismatch")
    tensors = load_tensors(path, header, data_start)
    for name, arr in tensors.items():
        if hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest() != meta["qvg.sha256." + name]:
            raise ValueError(f"{path}: checksum of tensor '{name}' mismatch")
    return {p: decode(tensors, meta, p) for p in meta["qvg.entries"].split(",")}, meta


if __name__ == "__main__":
    path = sys.argv[1]
    decoded, meta = read(path)
    for p, x in decoded.items():
        print(f"{p}: shape {list(x.shape)} method {meta[p + '.method']} role {meta[p + '.role']} "
              f"bits/value {meta[p + '.budget.bits_per_value']}")
    if "--npy" in sys.argv:
        d = sys.argv[sys.argv.index("--npy") + 1]
        for p, x in decoded.items():
            np.save(f"{d}/{p}.npy", x)
