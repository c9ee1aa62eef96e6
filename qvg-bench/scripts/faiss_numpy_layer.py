#!/usr/bin/python3
"""The baseline a user would otherwise pick for `qvg compress -m sas --bits 2`: FAISS k-means plus numpy.

Run it with Debian's interpreter, /usr/bin/python3 (python3-faiss 1.7.3 and python3-numpy); a python3
earlier on PATH may lack them.

  compress   per (tensor, head) slice of a .safetensors file of [B, H, S, D] (or [H, S, D]) K/V tensors:
             FAISS k-means (K centroids, `--iters` iterations, no subsampling, seeded), the final
             assignment against the last centroids, the centroids rounded to bf16, the rounded
             centroid subtracted from each token, symmetric block quantization of the residual
             (spec section 6: scale = max(absmax / qmax, 1e-10) in float32, codes rounded half away
             from zero, scales stored as bf16) and packing (INT2: 4 codes per byte, first code in the
             high bits). Writes, per tensor NAME, NAME.codes (U8 [.., S, D*bits/8]), NAME.scales
             (BF16 [.., S, D/block]), NAME.centroids (BF16 [.., K, D]) and NAME.ids (U8 [.., S]) to a
             .safetensors file: the work `qvg compress` does. Slices are read and written one at a
             time with plain file reads and writes (no memory map), so memory stays at a few slices
             whatever the input size. Prints a JSON summary with the time of each phase.
  iteration  the time of one FAISS k-means iteration (assignment + update) on one head, at each of
             `--sizes` tokens (the first S tokens of the head), from FAISS's own per-iteration clock.
  quantize   block quantize + pack a raw little-endian float32 [rows, cols] file: the cross-check of
             this script's quantizer against qvg's (qvg-bench's FaissNumpyBaselineTest).

FAISS uses its OpenMP threads (every core unless OMP_NUM_THREADS says otherwise), as a user gets it.
Differences from qvg that do not change the work: FAISS draws its initial centroids with its own
generator (without replacement) and splits empty clusters where qvg keeps them, so the codes differ;
and it assigns once more after its last update (6 distance products for 5 iterations, where the
k-means of the spec returns the ids of its last iteration's assignment).
"""
import argparse
import json
import os
import struct
import sys
import time

import numpy as np

MIN_SCALE = np.float32(1e-10)
HEADER_LIMIT = 100 * 1024 * 1024  # a safetensors header beyond this is not a K/V file


class BadInput(Exception):
    """Bad input: printed as one line, exit status 2."""


# ---------------------------------------------------------------------------- numerics (spec section 6)

def bf16_bits(f32):
    """bfloat16 bit patterns (uint16) of float32 values: round to nearest, ties to even (as qvg's Bf16)."""
    bits = np.ascontiguousarray(f32, dtype=np.float32).view(np.uint32)
    rounded = bits + np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))
    return (rounded >> np.uint32(16)).astype(np.uint16)


def bf16_to_f32(u16):
    """float32 values of bfloat16 bit patterns (exact)."""
    return (np.asarray(u16, dtype=np.uint16).astype(np.uint32) << np.uint32(16)).view(np.float32)


def round_half_away(x):
    """CUDA round(): half away from zero, exact in float32 (a - floor(a) has no rounding error)."""
    a = np.abs(x)
    r = np.floor(a)
    r = r + (a - r >= np.float32(0.5)).astype(np.float32)
    return np.copysign(r, x)


def quantize_pack(r, block, bits):
    """Symmetric block quantization and packing of a float32 [rows, cols] matrix.

    Returns (codes uint8 [rows, cols * bits / 8], scales uint16 bf16 bit patterns [rows, cols / block]).
    The scale is computed and used in float32 and stored as its bf16 rounding (qvg's BlockCodec order).
    """
    rows, cols = r.shape
    if cols % block:
        raise BadInput(f"block {block} does not divide the head dim {cols}")
    qmax = (1 << (bits - 1)) - 1
    r3 = r.reshape(rows, cols // block, block)
    absmax = np.abs(r3).max(axis=2)
    scale = np.maximum(absmax / np.float32(qmax), MIN_SCALE).astype(np.float32)
    q = round_half_away(r3 / scale[:, :, None])
    codes = (np.clip(q, -qmax, qmax) + qmax).astype(np.uint8).reshape(rows, cols)
    per = 8 // bits
    c = codes.reshape(rows, cols // per, per)
    packed = np.zeros((rows, cols // per), dtype=np.uint8)
    for j in range(per):  # first code in the high bits
        packed |= c[:, :, j] << np.uint8(bits * (per - 1 - j))
    return packed, bf16_bits(scale)


# ---------------------------------------------------------------------------- safetensors

DTYPES = {"BF16": (2, None), "F16": (2, np.float16), "F32": (4, np.float32)}


def read_header(path):
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) != 8:
            raise BadInput(f"{path}: too short to be a .safetensors file")
        (n,) = struct.unpack("<Q", head)
        if n > HEADER_LIMIT:
            raise BadInput(f"{path}: header length {n} is implausible for a .safetensors file")
        try:
            header = json.loads(f.read(n))
        except (ValueError, UnicodeDecodeError) as e:
            raise BadInput(f"{path}: header is not JSON ({e})")
    return header, 8 + n


class Tensor:
    """One K/V tensor of the input: its (batch, head) slices are read one at a time."""

    def __init__(self, path, name, info, data_start):
        dtype, shape, (begin, end) = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if dtype not in DTYPES:
            raise BadInput(f"tensor '{name}': dtype {dtype} is not one of {', '.join(DTYPES)}")
        if len(shape) == 3:
            shape = [1] + list(shape)
        if len(shape) != 4:
            raise BadInput(f"tensor '{name}': shape {info.get('shape')} is not [B, H, S, D] or [H, S, D]")
        self.name, self.dtype, self.shape = name, dtype, [int(d) for d in shape]
        self.itemsize = DTYPES[dtype][0]
        b, h, s, d = self.shape
        if end - begin != b * h * s * d * self.itemsize:
            raise BadInput(f"tensor '{name}': {end - begin} bytes for shape {self.shape} of {dtype}")
        self.offset = data_start + begin
        self.path = path

    @property
    def slices(self):
        return self.shape[0] * self.shape[1]

    def read_slice(self, f, i):
        """Slice i as a new float32 [S, D] array."""
        s, d = self.shape[2], self.shape[3]
        count = s * d
        f.seek(self.offset + i * count * self.itemsize)
        raw = np.fromfile(f, dtype=np.uint16 if self.dtype == "BF16" else DTYPES[self.dtype][1], count=count)
        if raw.size != count:
            raise BadInput(f"{self.path}: tensor '{self.name}' is truncated")
        x = bf16_to_f32(raw) if self.dtype == "BF16" else raw.astype(np.float32)
        if not np.isfinite(x).all():
            raise BadInput(f"tensor '{self.name}', slice {i}: non-finite value")
        return x.reshape(s, d)


def open_tensors(path, names):
    if not os.path.isfile(path):
        raise BadInput(f"{path}: no such file")
    header, data_start = read_header(path)
    present = [k for k in header if k != "__metadata__"]
    if names:
        missing = [n for n in names if n not in header]
        if missing:
            raise BadInput(f"{path} has no tensor {', '.join(missing)}; it has: {', '.join(present)}")
    else:
        names = present
    return [Tensor(path, n, header[n], data_start) for n in names]


class OutputFile:
    """A .safetensors file whose header is written first and whose slices are then written in place."""

    def __init__(self, path, entries, metadata):
        # entries: list of (name, dtype, shape, bytes per slice)
        self.path = path
        self.tmp = f"{path}.tmp-{os.getpid()}"
        head = {"__metadata__": metadata}
        offset = 0
        self.where = {}
        for name, dtype, shape, per_slice in entries:
            size = int(np.prod(shape)) * (1 if dtype == "U8" else 2)
            head[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + size]}
            self.where[name] = (offset, per_slice)
            offset += size
        js = json.dumps(head, separators=(",", ":")).encode()
        js += b" " * (-len(js) % 8)
        self.data_start = 8 + len(js)
        self.f = open(self.tmp, "wb")
        self.f.write(struct.pack("<Q", len(js)) + js)
        self.f.truncate(self.data_start + offset)

    def put(self, name, i, array):
        offset, per_slice = self.where[name]
        data = np.ascontiguousarray(array).tobytes()
        assert len(data) == per_slice, (name, len(data), per_slice)
        self.f.seek(self.data_start + offset + i * per_slice)
        self.f.write(data)

    def commit(self):
        self.f.flush()
        os.fsync(self.f.fileno())
        self.f.close()
        os.replace(self.tmp, self.path)

    def abandon(self):
        self.f.close()
        if os.path.exists(self.tmp):
            os.remove(self.tmp)


# ---------------------------------------------------------------------------- commands

def faiss_module():
    try:
        import faiss
    except ImportError as e:
        raise BadInput(f"FAISS is not importable by {sys.executable} ({e}); install python3-faiss and run /usr/bin/python3")
    return faiss


def slice_seed(seed, tensor_index, head):
    """FAISS's seed is a C int: a fixed mix of the run's seed, the tensor and the slice."""
    return (seed * 1000003 + tensor_index * 65537 + head) % (2 ** 31 - 1)


def kmeans(faiss, x, k, iters, seed):
    km = faiss.Kmeans(x.shape[1], k, niter=iters, seed=seed, verbose=False,
                      max_points_per_centroid=max(1, -(-x.shape[0] // k)) + 1, min_points_per_centroid=1)
    km.train(x)
    return km


def compress(args):
    faiss = faiss_module()
    if args.bits not in (2, 4):
        raise BadInput(f"--bits {args.bits}: this baseline packs 2 or 4 bits")
    if args.clusters > 256:
        raise BadInput(f"--clusters {args.clusters}: ids are stored as U8, so at most 256")
    if os.path.exists(args.output) and not args.force:
        raise BadInput(f"{args.output} exists; pass --force to overwrite it")
    tensors = open_tensors(args.input, args.tensor)
    k = args.clusters
    entries = []
    for t in tensors:
        b, h, s, d = t.shape
        if d % args.block or (d * args.bits) % 8:
            raise BadInput(f"tensor '{t.name}': head dim {d} is not a multiple of block {args.block}")
        if s < k:
            raise BadInput(f"tensor '{t.name}': {s} tokens per head is fewer than {k} clusters")
        entries += [(f"{t.name}.codes", "U8", (b, h, s, d * args.bits // 8), s * d * args.bits // 8),
                    (f"{t.name}.scales", "BF16", (b, h, s, d // args.block), s * (d // args.block) * 2),
                    (f"{t.name}.centroids", "BF16", (b, h, k, d), k * d * 2),
                    (f"{t.name}.ids", "U8", (b, h, s), s)]
    meta = {"producer": "qvg-bench faiss_numpy_layer.py", "faiss": faiss.__version__, "numpy": np.__version__,
            "clusters": str(k), "iters": str(args.iters), "block": str(args.block), "bits": str(args.bits),
            "seed": str(args.seed)}
    phases = dict.fromkeys(["read", "kmeans", "assign", "residual", "quantize_pack", "write"], 0.0)
    start = time.perf_counter()
    out = OutputFile(args.output, entries, meta)
    try:
        with open(args.input, "rb") as f:
            for ti, t in enumerate(tensors):
                for i in range(t.slices):
                    t0 = time.perf_counter()
                    x = t.read_slice(f, i)
                    t1 = time.perf_counter()
                    km = kmeans(faiss, x, k, args.iters, slice_seed(args.seed, ti, i))
                    t2 = time.perf_counter()
                    _, ids = km.index.search(x, 1)
                    ids = ids.reshape(-1)
                    t3 = time.perf_counter()
                    stored = bf16_bits(km.centroids)
                    r = x - bf16_to_f32(stored)[ids]
                    t4 = time.perf_counter()
                    codes, scales = quantize_pack(r, args.block, args.bits)
                    t5 = time.perf_counter()
                    out.put(f"{t.name}.codes", i, codes)
                    out.put(f"{t.name}.scales", i, scales)
                    out.put(f"{t.name}.centroids", i, stored)
                    out.put(f"{t.name}.ids", i, ids.astype(np.uint8))
                    t6 = time.perf_counter()
                    for key, dt in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5)):
                        phases[key] += dt
        t7 = time.perf_counter()
        out.commit()
        phases["write"] += time.perf_counter() - t7
    except BaseException:
        out.abandon()
        raise
    summary = {"tool": "faiss+numpy", "input": args.input, "output": args.output,
               "slices": sum(t.slices for t in tensors), "tokens_per_slice": sorted({t.shape[2] for t in tensors}),
               "clusters": k, "iters": args.iters, "block": args.block, "bits": args.bits,
               "faiss_version": faiss.__version__, "numpy_version": np.__version__,
               "faiss_threads": faiss.omp_get_max_threads(), "seconds": time.perf_counter() - start,
               "phases_seconds": phases}
    emit(summary, args.json)


def iteration(args):
    faiss = faiss_module()
    tensors = open_tensors(args.input, [args.tensor] if args.tensor else None)
    t = tensors[0]
    b, h, s, d = t.shape
    sizes = [int(v) for v in args.sizes.split(",")]
    if any(v < args.clusters or v > s for v in sizes):
        raise BadInput(f"--sizes {args.sizes}: each size must be in {args.clusters}..{s} (tokens of '{t.name}')")
    if args.iters < 2:
        raise BadInput("--iters: at least 2 (the first iteration includes the initialisation)")
    rows = []
    with open(args.input, "rb") as f:
        for size in sizes:
            per_iter = []
            for head in range(min(args.heads, t.slices)):
                x = np.ascontiguousarray(t.read_slice(f, head)[:size])
                cp = faiss.ClusteringParameters()
                cp.niter, cp.seed, cp.verbose = args.iters, slice_seed(args.seed, 0, head), False
                cp.max_points_per_centroid, cp.min_points_per_centroid = size // args.clusters + 2, 1
                clus = faiss.Clustering(d, args.clusters, cp)
                clus.train(x, faiss.IndexFlatL2(d))
                stats = clus.iteration_stats
                times = [stats.at(i).time for i in range(stats.size())]  # cumulative seconds
                per_iter += [b2 - a2 for a2, b2 in zip(times, times[1:])]  # the first one carries the init
            per_iter.sort()
            rows.append({"S": size, "iterations_timed": len(per_iter),
                         "median_ms": 1e3 * per_iter[len(per_iter) // 2], "best_ms": 1e3 * per_iter[0]})
    emit({"tool": "faiss", "what": "one k-means iteration (assign + update) of one head", "tensor": t.name,
          "D": d, "K": args.clusters, "faiss_version": faiss.__version__,
          "faiss_threads": faiss.omp_get_max_threads(), "sizes": rows}, args.json)


def quantize(args):
    raw = np.fromfile(args.input, dtype="<f4")
    if raw.size != args.rows * args.cols:
        raise BadInput(f"{args.input}: {raw.size} floats, expected {args.rows} x {args.cols}")
    codes, scales = quantize_pack(raw.reshape(args.rows, args.cols), args.block, args.bits)
    codes.tofile(args.codes)
    scales.astype("<u2").tofile(args.scales)


def emit(summary, path):
    text = json.dumps(summary, indent=1)
    print(text)
    if path:
        with open(path, "w") as f:
            f.write(text + "\n")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compress", help="compress a K/V file (the baseline of `qvg compress`)")
    c.add_argument("--input", required=True)
    c.add_argument("--output", required=True)
    c.add_argument("--tensor", action="append", help="tensor to compress (repeatable; default: every tensor)")
    c.add_argument("--clusters", type=int, default=256)
    c.add_argument("--iters", type=int, default=5)
    c.add_argument("--block", type=int, default=64)
    c.add_argument("--bits", type=int, default=2)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--force", action="store_true", help="overwrite the output")
    c.add_argument("--json", help="also write the summary to this file")
    it = sub.add_parser("iteration", help="time one FAISS k-means iteration of one head")
    it.add_argument("--input", required=True)
    it.add_argument("--tensor", help="tensor to take the heads from (default: the first)")
    it.add_argument("--sizes", default="8192,29640", help="token counts, comma-separated")
    it.add_argument("--heads", type=int, default=2, help="heads timed per size")
    it.add_argument("--iters", type=int, default=6, help="iterations per run (the first is not counted)")
    it.add_argument("--clusters", type=int, default=256)
    it.add_argument("--seed", type=int, default=0)
    it.add_argument("--json")
    q = sub.add_parser("quantize", help="block quantize + pack a raw float32 matrix (cross-check)")
    q.add_argument("--input", required=True)
    q.add_argument("--rows", type=int, required=True)
    q.add_argument("--cols", type=int, required=True)
    q.add_argument("--block", type=int, default=64)
    q.add_argument("--bits", type=int, default=2)
    q.add_argument("--codes", required=True)
    q.add_argument("--scales", required=True)
    args = p.parse_args(argv)
    for name in ("clusters", "iters", "block", "bits", "rows", "cols", "heads"):
        if getattr(args, name, 1) <= 0:
            raise BadInput(f"--{name}: must be positive, got {getattr(args, name)}")
    {"compress": compress, "iteration": iteration, "quantize": quantize}[args.command](args)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except BadInput as e:
        print(f"faiss_numpy_layer: {e}", file=sys.stderr)
        sys.exit(2)
