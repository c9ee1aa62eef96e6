"""Read qvg files in Python with numpy alone: quantized KV caches (.qvg.safetensors), verified and
decoded bit-identically to Java, and plain .safetensors files (what `qvg decompress` writes).

    import qvg_read
    kv = qvg_read.load("kv.qvg.safetensors")       # {"layers.0.k": float32 array [B, H, S, D], ...}
    kv = qvg_read.to_torch("kv.qvg.safetensors")   # the same as torch.bfloat16 tensors (needs PyTorch)

Command line (`qvg-read --help` once installed, or `python3 qvg_read.py --help` from the source):
    qvg-read FILE                  # verify, print entries, shapes and bits per value
    qvg-read FILE --npy DIR        # also write each tensor as DIR/KEY.npy (float32)

Needs only numpy (no safetensors package: the format is an 8-byte length, a JSON header and raw
little-endian data, read here directly; Debian: apt-get install python3-numpy). Install with
`pip install ./qvg-io/python` (no network needed; qvg-io/python/README.md).

Decoding follows the Java reference decoder (dev.qvg.api.quant.ReferenceDecoder) in float32 with
the same operation order, so the result is bit-identical to Java's (PythonInteropTest checks it).
bfloat16 has no numpy dtype: load() gives bfloat16 tensors as float32 (exact: every bfloat16 value
is a float32 value) or, with bf16="uint16", as their raw bit patterns; to_torch() gives
torch.bfloat16. Format: qvg-io/README.md.
"""
import argparse
import hashlib
import json
import os
import re
import struct
import sys
import unicodedata

import numpy as np

__version__ = "0.1.0"
__all__ = ["load", "to_torch", "metadata", "read", "float32_to_bf16_bits", "bf16_bits_to_f32", "main"]

FORMAT = "qvg-quantized-kv"
FORMAT_VERSION = "1"
MAX_HEADER_BYTES = 100 << 20  # as the Java reader and the safetensors library

# safetensors dtype -> numpy dtype of the raw little-endian elements (BF16 kept as its bit pattern)
DTYPES = {"BOOL": "?", "U8": "u1", "I8": "i1", "U16": "<u2", "I16": "<i2", "I32": "<i4", "U32": "<u4", "I64": "<i8",
          "U64": "<u8", "F16": "<f2", "BF16": "<u2", "F32": "<f4", "F64": "<f8"}

_KEY = re.compile(r"[A-Za-z0-9_]{1,64}\Z")
MAX_NAME_LENGTH = 1024  # UTF-16 units, as Java counts them


class QvgFileError(ValueError):
    """A file qvg_read cannot read: damaged, edited, not a qvg or safetensors file, or holding an
    entry that only its method's own code decodes."""


# ---------------------------------------------------------------------------------------------
# safetensors layout


def read_header(path):
    """The safetensors header (a dict) and the file offset where the data section starts."""
    with open(path, "rb") as f:
        raw = f.read(8)
        if len(raw) != 8:
            raise QvgFileError(f"{path}: shorter than the 8-byte header length (not a safetensors file)")
        n = struct.unpack("<Q", raw)[0]
        if n > MAX_HEADER_BYTES:
            raise QvgFileError(f"{path}: header length {n} is more than {MAX_HEADER_BYTES} (not a safetensors file?)")
        text = f.read(n)
        if len(text) != n:
            raise QvgFileError(f"{path}: header length {n} beyond the end of the file")
    try:
        header = json.loads(text)
    except ValueError as e:
        raise QvgFileError(f"{path}: header is not JSON ({e})") from None
    if not isinstance(header, dict):
        raise QvgFileError(f"{path}: header is not a JSON object")
    meta = header.get("__metadata__", {})
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise QvgFileError(f"{path}: __metadata__ is not an object of strings")
    return header, 8 + n


def load_tensors(path, header, data_start):
    """Every tensor of the file as a numpy array of its raw elements, checked against its offsets."""
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        try:
            dt = np.dtype(DTYPES[t["dtype"]])
            shape = [int(d) for d in t["shape"]]
            begin, end = (int(x) for x in t["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise QvgFileError(f"{path}: tensor {_show(name)}: unsupported dtype or malformed entry {t!r}") from None
        count = int(np.prod(shape, dtype=np.int64))
        if min(shape, default=0) < 0 or end - begin != count * dt.itemsize or begin < 0:
            raise QvgFileError(f"{path}: tensor {_show(name)}: offsets hold {end - begin} bytes, shape needs "
                               f"{count * dt.itemsize}")
        arr = np.fromfile(path, dtype=dt, count=count, offset=data_start + begin)
        if arr.size != count:
            raise QvgFileError(f"{path}: tensor {_show(name)}: the file ends inside it")
        out[name] = arr.reshape(shape)
    return out


def header_digest(meta, header):
    """SHA-256 over sorted 'key=value' metadata lines (minus the digest) and sorted tensor lines."""
    lines = [f"{k}={v}\n" for k, v in sorted(meta.items()) if k != "qvg.header_sha256"]
    for name in sorted(k for k in header if k != "__metadata__"):
        t = header[name]
        lines.append(f"tensor {name} {t['dtype']} {','.join(str(d) for d in t['shape'])}\n")
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# number formats


def bf16_bits_to_f32(bits):
    """bfloat16 bit patterns (uint16) to float32, exactly."""
    return (np.asarray(bits).astype(np.uint32) << 16).view(np.float32)


def float32_to_bf16_bits(x):
    """float32 to bfloat16 bit patterns (uint16), rounding to nearest even as Java's Bf16.fromFloat and
    PyTorch do; NaN becomes the quiet NaN 0x7FC0 with its sign."""
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    rounded = ((u + np.uint32(0x7FFF) + ((u >> 16) & 1)) >> 16).astype(np.uint16)
    nan = (u & 0x7FFFFFFF) > 0x7F800000
    return np.where(nan, ((u >> 16) & 0x8000).astype(np.uint16) | np.uint16(0x7FC0), rounded)


def fp8_e4m3_to_f32(b):
    b = b.astype(np.int32)
    sign = np.where(b & 0x80, -1.0, 1.0)
    e = (b >> 3) & 0xF
    m = (b & 7).astype(np.float64)
    v = np.where(e == 0, m / 8 * 2.0 ** -6, (1 + m / 8) * 2.0 ** (e - 7))
    v = np.where((e == 15) & ((b & 7) == 7), np.nan, v)
    return (sign * v).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# quantized caches


def unpack_codes(codes, cols, bits, symmetric):
    if bits == 8:
        c = codes[:, :cols].view(np.int8 if symmetric else np.uint8).astype(np.int32)
        return c
    stream = np.unpackbits(codes, axis=1)[:, : cols * bits].reshape(codes.shape[0], cols, bits)
    weights = (1 << np.arange(bits - 1, -1, -1)).astype(np.int32)
    u = (stream.astype(np.int32) * weights).sum(axis=2)
    return u - ((1 << (bits - 1)) - 1) if symmetric else u


def decode(tensors, meta, p):
    """Entry with key p, decoded to float32 [B, H, S, D] in the Java reference decoder's operation order."""
    info = json.loads(meta.get(p + ".info", "{}"))
    if isinstance(info, dict) and info.get("method_decode") == "true":
        # Java's QuantizedKv.INFO_METHOD_DECODE: the codes are transformed values (a rotation, say)
        # that only the method's own quantizer reconstructs; decoding them here would be wrong
        raise QvgFileError(f"method {meta.get(p + '.method')!r} stores transformed values that only that method"
                           " decodes: decompress it with qvg and the method's jar on the class path")
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


def _name_problem(name):
    """Why `name` cannot name an entry (the rules of Java's EntryNames), or None."""
    if not name:
        return "it is empty"
    if len(name.encode("utf-16-le", "surrogatepass")) // 2 > MAX_NAME_LENGTH:
        return f"it is longer than {MAX_NAME_LENGTH} characters"
    if name == "__metadata__":
        return "'__metadata__' is reserved by safetensors"
    for ch in name:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            return f"it holds U+{ord(ch):04X}, which is not printable"
    return None


def _show(name):
    """`name` for one line of output: as it is when printable, else quoted with escapes."""
    if _name_problem(name) is None and name.strip() == name and '"' not in name and "\\" not in name:
        return name
    return json.dumps(name)


def entries(path, meta):
    """(key, name) of each entry of a quantized cache, in file order, checked as Java's readers check them:
    keys are [A-Za-z0-9_]{1,64} (so a key is safe as a file name), names printable and distinct."""
    out, seen = [], set()
    for key in meta.get("qvg.entries", "").split(","):
        if not _KEY.match(key):
            raise QvgFileError(f"{path}: entry key {json.dumps(key)} must be 1-64 of [A-Za-z0-9_]")
        name = meta.get(key + ".name", key)
        why = _name_problem(name)
        if why:
            raise QvgFileError(f"{path}: entry '{key}': entry name {json.dumps(name)} is not allowed: {why}")
        if name in seen:
            raise QvgFileError(f"{path}: entry '{key}': its name {_show(name)} is also another entry's name")
        seen.add(name)
        out.append((key, name))
    return out


def read(path):
    """A quantized cache, verified and decoded: ({entry name: float32 [B, H, S, D]}, metadata)."""
    header, data_start = read_header(path)
    meta = header.get("__metadata__", {})
    if meta.get("qvg.format") != FORMAT or meta.get("qvg.format_version") != FORMAT_VERSION:
        raise QvgFileError(f"{path}: not a version-{FORMAT_VERSION} qvg quantized-cache file")
    if header_digest(meta, header) != meta.get("qvg.header_sha256"):
        raise QvgFileError(f"{path}: header checksum mismatch (metadata or tensor list corrupted)")
    tensors = load_tensors(path, header, data_start)
    for name, arr in tensors.items():
        if hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest() != meta.get("qvg.sha256." + name):
            raise QvgFileError(f"{path}: checksum of tensor {_show(name)} mismatch (data corrupted)")
    decoded = {}
    for key, name in entries(path, meta):
        try:
            decoded[name] = decode(tensors, meta, key)
        except QvgFileError as e:
            raise QvgFileError(f"{path}: entry {_show(name)}: {e}") from None
        except (KeyError, IndexError, ValueError) as e:
            raise QvgFileError(f"{path}: entry '{key}' is inconsistent ({type(e).__name__}: {e})") from None
    return decoded, meta


# ---------------------------------------------------------------------------------------------
# the API


def is_quantized(header):
    return header.get("__metadata__", {}).get("qvg.format") == FORMAT


def metadata(path):
    """The file's safetensors metadata (a dict of strings), without reading or verifying the data."""
    return dict(read_header(path)[0].get("__metadata__", {}))


def load(path, bf16="float32"):
    """Every tensor of `path` as a numpy array, by name.

    A quantized cache (.qvg.safetensors) is verified (both checksums) and each entry decoded to
    float32 [B, H, S, D], bit-identical to Java's decoder, under the name its tensor had. A plain
    .safetensors file gives its tensors as stored; bfloat16 ones (numpy has no bfloat16) as exact
    float32 (bf16="float32", the default) or as their uint16 bit patterns (bf16="uint16").
    """
    if bf16 not in ("float32", "uint16"):
        raise ValueError(f"bf16={bf16!r}: expected 'float32' (exact values) or 'uint16' (bit patterns)")
    header, data_start = read_header(path)
    if is_quantized(header):
        return read(path)[0]
    raw = load_tensors(path, header, data_start)
    if bf16 == "float32":
        for name, arr in raw.items():
            if header[name]["dtype"] == "BF16":
                raw[name] = bf16_bits_to_f32(arr)
    return raw


def _torch_dtype(torch, dtype):
    if dtype is None or not isinstance(dtype, str):
        return dtype
    try:
        return {"bfloat16": torch.bfloat16, "bf16": torch.bfloat16, "float32": torch.float32, "f32": torch.float32,
                "float16": torch.float16, "f16": torch.float16}[dtype]
    except KeyError:
        raise ValueError(f"dtype={dtype!r}: expected bfloat16, float32, float16, a torch dtype or None") from None


def to_torch(source, dtype="bfloat16"):
    """The tensors of `source` (a path, or a dict of numpy arrays from load()) as PyTorch tensors, by name.

    dtype: the floating-point type to give (default torch.bfloat16, the precision a KV cache is kept
    in; a torch dtype or "bfloat16"/"float32"/"float16"), or None to keep each tensor's own (float32
    for decoded entries, the stored type for a plain file: bfloat16 tensors come back as
    torch.bfloat16). bfloat16 tensors of a file are taken bit for bit; float32 values are rounded to
    nearest even, giving the bits of `qvg decompress --dtype bf16`. Integer tensors are left alone.
    Needs PyTorch; without it load() gives the same data as numpy arrays.
    """
    try:
        import torch
    except ImportError:
        raise ImportError("qvg_read.to_torch needs PyTorch (pip install torch); without it, qvg_read.load() gives "
                          "numpy arrays (bfloat16 as exact float32)") from None
    target = _torch_dtype(torch, dtype)
    bf16_bits = set()
    if isinstance(source, dict):
        arrays = source
    else:
        header, _ = read_header(source)
        arrays = load(source, bf16="uint16")
        if not is_quantized(header):
            bf16_bits = {n for n, t in header.items() if n != "__metadata__" and t["dtype"] == "BF16"}
    out = {}
    for name, a in arrays.items():
        a = np.asarray(a)
        if name in bf16_bits:
            t = torch.from_numpy(np.ascontiguousarray(a).view(np.int16).copy()).view(torch.bfloat16)
        elif target == torch.bfloat16 and a.dtype == np.float32:
            bits = float32_to_bf16_bits(a)  # the rounding Java uses, so the bits are decompress --dtype bf16's
            out[name] = torch.from_numpy(bits.view(np.int16)).view(torch.bfloat16)
            continue
        else:
            t = torch.from_numpy(np.ascontiguousarray(a).copy())
        if target is not None and t.is_floating_point():
            t = t.to(target)
        out[name] = t
    return out


# ---------------------------------------------------------------------------------------------
# command line


def _safe_file_stems(names):
    """A file-name stem per name: the entry key rules (1-64 of [A-Za-z0-9_], unique), never a path."""
    stems, taken = {}, set()
    for name in names:
        base = "".join(c if (c.isascii() and (c.isalnum() or c == "_")) else "_" for c in name)[:64] or "_"
        stem, i = base, 2
        while stem in taken:
            suffix = f"_{i}"
            stem, i = base[: 64 - len(suffix)] + suffix, i + 1
        taken.add(stem)
        stems[name] = stem
    return stems


def _parser():
    p = argparse.ArgumentParser(
        prog="qvg-read",
        description="Verify and decode a qvg quantized KV cache (.qvg.safetensors), or list a plain .safetensors "
                    "file, with numpy alone. Decoded values are bit-identical to Java's qvg decompress.",
        epilog="Examples:\n  qvg-read kv.qvg.safetensors\n  qvg-read kv.qvg.safetensors --npy out/\n\n"
               "In Python: qvg_read.load(path) -> {name: numpy array}; qvg_read.to_torch(path) -> {name: torch "
               "tensor} (bfloat16). Exit codes: 0 success, 1 bad file, 2 bad usage.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", metavar="FILE", help="a .qvg.safetensors or .safetensors file")
    p.add_argument("--npy", metavar="DIR",
                   help="also write each tensor as DIR/KEY.npy (float32 for decoded and bfloat16 tensors); KEY is "
                        "the entry's key, the name reduced to [A-Za-z0-9_] (so a name never becomes a path)")
    p.add_argument("--force", action="store_true", help="overwrite .npy files that already exist")
    p.add_argument("--version", action="version", version=f"qvg-read {__version__}")
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        header, _ = read_header(args.file)
        quantized = is_quantized(header)
        arrays = load(args.file)
        meta = header.get("__metadata__", {})
        if quantized:
            keys = {name: key for key, name in entries(args.file, meta)}
            print(f"{args.file}: qvg quantized cache, checksums verified, {len(arrays)} entries")
            for name, key in keys.items():
                print(f"  {_show(name)}: shape {list(arrays[name].shape)} method {meta[key + '.method']} "
                      f"role {meta[key + '.role'].lower()} bits/value {meta[key + '.budget.bits_per_value']}")
        else:
            keys = _safe_file_stems(arrays)
            print(f"{args.file}: safetensors, {len(arrays)} tensors")
            for name in arrays:
                print(f"  {_show(name)}: {header[name]['dtype']} {list(arrays[name].shape)}")
        if args.npy:
            os.makedirs(args.npy, exist_ok=True)
            for name, a in arrays.items():
                target = os.path.join(args.npy, keys[name] + ".npy")
                with open(target, "wb" if args.force else "xb") as f:
                    np.save(f, a)
                print(f"  wrote {target}")
    except FileExistsError as e:
        print(f"qvg-read: {e.filename} already exists; pass --force to overwrite it", file=sys.stderr)
        return 1
    except QvgFileError as e:
        print(f"qvg-read: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"qvg-read: {e.strerror or e}: {e.filename}" if e.filename else f"qvg-read: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
