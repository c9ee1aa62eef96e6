#!/usr/bin/env python3
"""Sets qvg's GPU timings (KernelTimings --json) beside the PyTorch baselines (torch_baselines.py --json) of
the same run: each qvg kernel as a fraction of its limit on this GPU, and its time as a ratio to the PyTorch way
of doing the same work (below 1: qvg is faster). Prints Markdown. Either file may be missing or partial (a run cut
short): what is there is compared.

Usage: compare_timings.py QVG_JSON TORCH_JSON
"""
import json
import sys

# qvg row -> (PyTorch row doing the same work, what the ratio means)
PAIRS = [
    ("d2d_copy", "d2d_copy", "the same copy: both measure HBM"),
    ("assign_single", "assign_single", "exact no-FMA distances + argmin vs cuBLAS GEMM + argmin"),
    ("assign_single", "sgemm_single", "vs cuBLAS SGEMM alone (the GEMM the assignment contains)"),
    ("kmeans_iter_layer", "kmeans_iter_layer", "one batched k-means iteration"),
    ("quantize_layer", "quantize_layer", "INT2 block-64 quantize + pack"),
    ("decode_f32_layer", "decode_f32_layer", "unpack + dequant + 1 stage, float32 out"),
]


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        return {"error": "%s: %s" % (path, e), "rows": []}


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    qvg, torch = load(sys.argv[1]), load(sys.argv[2])
    q = {r["key"]: r for r in qvg.get("rows", [])}
    t = {r["key"]: r for r in torch.get("rows", [])}
    print("| qvg kernel | qvg time | qvg throughput | of its limit | PyTorch row | PyTorch time | qvg / PyTorch time | note |")
    print("|---|---|---|---|---|---|---|---|")
    for qk, tk, note in PAIRS:
        a, b = q.get(qk), t.get(tk)
        if a is None and b is None:
            continue
        qt = "%.3f ms" % a["ms"] if a else "not measured"
        thr = "%.1f %s" % (a["value"], a["unit"]) if a and a.get("value") else "-"
        lim = "%.0f%% of %s" % (100 * a["value"] / a["limit"], a["limit_name"]) if a and a.get("limit") else "-"
        tt = "%.3f ms" % b["ms"] if b else "not measured"
        ratio = "%.2f" % (a["ms"] / b["ms"]) if a and b and b["ms"] > 0 else "-"
        print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (qk, qt, thr, lim, tk, tt, ratio, note))
    for key in ("update_single", "decode_bf16_layer", "cluster_layer_wall", "encode_span_layer_wall"):
        a = q.get(key)
        if a:
            lim = "%.0f%% of %s" % (100 * a["value"] / a["limit"], a["limit_name"]) if a.get("limit") else "-"
            thr = "%.1f %s" % (a["value"], a["unit"]) if a.get("value") else "-"
            print("| %s | %.3f ms | %s | %s | - | - | - | no PyTorch counterpart timed |" % (key, a["ms"], thr, lim))
    for name, d in (("qvg", qvg), ("PyTorch", torch)):
        if d.get("error"):
            print("\n%s timings: %s" % (name, d["error"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
