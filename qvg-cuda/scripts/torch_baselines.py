#!/usr/bin/env python3
"""The PyTorch way of qvg's GPU work, on the same GPU in the same run, so qvg's figures mean something.

The work and the shapes are those of dev.qvg.cuda.KernelTimings (the LongCat-Video layer of issue 21 by
default: 32 heads x 29640 tokens x 128, K = 256), each timed with CUDA events (median of several runs
after a warm-up), in FP32 with TF32 off (qvg's kernels are exact FP32):

  d2d_copy            a device-to-device copy: the HBM bandwidth the memory-bound kernels are held to
  sgemm_single        cuBLAS SGEMM [S, 128] x [128, K]: the FP32 rate the distance computation is held to
  assign_single       norms + cuBLAS GEMM + argmin for one head (the original implementation's assignment)
  kmeans_iter_layer   one batched k-means iteration over all heads: assignment (baddbmm + argmin) and the
                      update (index_add_ of the rows, bincount, divide, empty clusters keep their centroid)
  quantize_layer      INT2 block-64 symmetric quantization with bf16 scales and 4-codes-a-byte packing
  decode_f32_layer    unpack + dequantize + add one stage of centroids (gathered by id), float32 out

Usage: torch_baselines.py [--json FILE] [--quick] [--heads H] [--tokens S] [--iters N] [--device cuda|cpu]
(--device cpu only checks the script where there is no GPU; its times mean nothing.)
Writes the JSON file after each row, so a run cut short keeps what it measured. Exit 3 without torch or GPU.
"""
import argparse
import json
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--heads", type=int, default=32)
    ap.add_argument("--tokens", type=int, default=29640)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--device", default="cuda")
    a = ap.parse_args()
    out = {"device": {}, "rows": []}

    def save():
        if a.json:
            with open(a.json, "w") as f:
                json.dump(out, f, indent=1)

    try:
        import torch
    except ImportError as e:
        out["error"] = "no torch: %s" % e
        save()
        print(out["error"])
        return 3
    if a.device == "cuda" and not torch.cuda.is_available():
        out["error"] = "torch %s sees no CUDA device" % torch.__version__
        save()
        print(out["error"])
        return 3
    dev = torch.device(a.device)
    torch.backends.cuda.matmul.allow_tf32 = False  # qvg's kernels are exact FP32
    torch.backends.cudnn.allow_tf32 = False
    heads, tokens = (min(a.heads, 2), min(a.tokens, 2048)) if a.quick else (a.heads, a.tokens)
    single = 4096 if a.quick else 32768
    copy_bytes = (64 << 20) if a.quick else (1 << 30)
    reps = 3 if a.quick else 10
    D, K = 128, 256
    out["device"] = {"torch": torch.__version__, "cuda": torch.version.cuda,
                     "name": torch.cuda.get_device_name(0) if a.device == "cuda" else "cpu"}

    def sync():
        if a.device == "cuda":
            torch.cuda.synchronize()

    def timed(f):
        f()
        sync()
        ts = []
        for _ in range(reps):
            if a.device == "cuda":
                s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                s.record()
                f()
                e.record()
                e.synchronize()
                ts.append(s.elapsed_time(e))
            else:
                t0 = time.perf_counter()
                f()
                ts.append((time.perf_counter() - t0) * 1e3)
        ts.sort()
        return ts[len(ts) // 2]

    def row(key, what, shape, ms, value, unit):
        out["rows"].append({"key": key, "what": what, "shape": shape, "ms": ms, "value": value, "unit": unit})
        save()
        print("| %s | %s | %s | %.3f ms | %.1f %s |" % (key, what, shape, ms, value, unit), flush=True)

    print("| key | measurement (PyTorch %s, CUDA %s) | shape | median time | throughput |" % (torch.__version__, torch.version.cuda))
    print("|---|---|---|---|---|")
    gen = torch.Generator(device=dev).manual_seed(1)

    src = torch.zeros(copy_bytes // 4, device=dev)
    dst = torch.empty_like(src)
    ms = timed(lambda: dst.copy_(src))
    row("d2d_copy", "device-to-device copy (read + write)", "%d MiB" % (copy_bytes >> 20), ms, 2 * copy_bytes / (ms * 1e6), "GB/s")
    del src, dst

    x = torch.randn(single, D, device=dev, generator=gen)
    c = x[:K].clone()
    ms = timed(lambda: x @ c.T)
    row("sgemm_single", "cuBLAS SGEMM (TF32 off)", "[%d, %d] x [%d, %d]" % (single, D, D, K), ms, 2 * single * D * K / (ms * 1e9), "TFLOP/s")

    def assign1():
        d = (x * x).sum(1, keepdim=True) - 2 * (x @ c.T) + (c * c).sum(1)
        return d.argmin(1)
    ms = timed(assign1)
    row("assign_single", "norms + SGEMM + argmin", "S=%d D=%d K=%d" % (single, D, K), ms, 2 * single * D * K / (ms * 1e9), "TFLOP/s")
    del x, c

    # The layer: heads x [tokens, D].
    X = torch.randn(heads, tokens, D, device=dev, generator=gen)
    C = X[:, :K].clone()
    xx = (X * X).sum(2, keepdim=True)
    offsets = (torch.arange(heads, device=dev) * K).view(heads, 1)

    def kmeans_iteration():
        cc = (C * C).sum(2).unsqueeze(1)
        d = torch.baddbmm(xx + cc, X, C.transpose(1, 2), beta=1, alpha=-2)  # |x|^2 + |c|^2 - 2 x.c
        ids = d.argmin(2)
        flat = (ids + offsets).view(-1)
        sums = torch.zeros(heads * K, D, device=dev).index_add_(0, flat, X.view(-1, D))
        counts = torch.bincount(flat, minlength=heads * K).view(heads * K, 1)
        means = sums / counts.clamp(min=1)
        C.copy_(torch.where(counts > 0, means, C.view(-1, D)).view(heads, K, D))
        return ids
    ms = timed(kmeans_iteration)
    row("kmeans_iter_layer", "one batched k-means iteration (baddbmm + argmin, index_add_ + bincount)",
        "%d x [%d, %d], K=%d" % (heads, tokens, D, K), ms, 2.0 * heads * tokens * D * K / (ms * 1e9), "TFLOP/s")
    ids = kmeans_iteration()
    del xx

    rows, bs = heads * tokens, 64
    Xr = X.view(rows, D)

    def quantize():
        blocks = Xr.view(rows, D // bs, bs)
        scale = (blocks.abs().amax(2, keepdim=True) / 1.0).clamp(min=1e-10).to(torch.bfloat16)
        q = torch.clamp(torch.round(blocks / scale.float()), -1, 1).to(torch.int32) + 1  # INT2 symmetric: codes 0..2
        q = q.view(rows, D // 4, 4)
        packed = (q[..., 0] << 6) | (q[..., 1] << 4) | (q[..., 2] << 2) | q[..., 3]
        return packed.to(torch.uint8), scale
    ms = timed(quantize)
    nbytes = 4.0 * rows * D + rows * D / 4 + 2.0 * rows * D / bs
    row("quantize_layer", "INT2 block-64 quantize + pack (bf16 scales)", "%d x [%d, %d]" % (heads, tokens, D), ms, nbytes / (ms * 1e6), "GB/s")
    packed, scale = quantize()
    Cb = C.to(torch.bfloat16).view(heads * K, D)
    flat_ids = (ids + offsets).view(-1)

    def decode():
        p = packed.to(torch.int32)
        q = torch.stack(((p >> 6) & 3, (p >> 4) & 3, (p >> 2) & 3, p & 3), dim=2).view(rows, D // bs, bs) - 1
        v = (q.float() * scale.float()).view(rows, D)
        return v + Cb.index_select(0, flat_ids).float()
    ms = timed(decode)
    nbytes = rows * D / 4 + 2.0 * rows * D / bs + 4.0 * rows + 4.0 * rows * D
    row("decode_f32_layer", "unpack + dequant + 1 stage of centroids, float32 out", "%d x [%d, %d]" % (heads, tokens, D), ms,
        nbytes / (ms * 1e6), "GB/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
