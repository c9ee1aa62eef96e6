// Scalar arithmetic shared by the kernels, written so every result is bit-identical to the Java
// reference (dev.qvg.api.quant.BlockCodec, dev.qvg.api.reference.ReferenceKernels, Bf16,
// Fp8E4M3, Rounding).
//
// Why each choice:
// - Java never fuses a multiply and an add, and divides with IEEE round-to-nearest. On the device
//   every product, sum and quotient therefore goes through the _rn intrinsics, which nvcc never
//   contracts into FMA and which are exact IEEE operations whatever -use_fast_math says.
// - Java's Math.min/max propagate NaN and order -0.0 below +0.0; CUDA's fminf/fmaxf do neither,
//   so qvg_jmin/qvg_jmax restore the Java semantics (this matters for the asymmetric zero point,
//   whose sign bit is stored).
// - The encoders are written by hand with round-to-nearest-even so they do not depend on the
//   conversion intrinsics of a particular CUDA version (fp8 intrinsics differ on saturation).
//
// The same file compiles for the host (QVG_HOST_EMULATION), so the unit tests can check the
// formulas against the Java reference on a machine without a GPU: there the _rn helpers are plain
// IEEE float operations (x86-64 SSE, compiled with -ffp-contract=off).
#pragma once

#ifdef __CUDACC__
#define QVG_HD __host__ __device__ __forceinline__
#else
#define QVG_HD inline
#endif

#if defined(__CUDA_ARCH__)
#define QVG_FMUL(a, b) __fmul_rn((a), (b))
#define QVG_FADD(a, b) __fadd_rn((a), (b))
#define QVG_FSUB(a, b) __fsub_rn((a), (b))
#define QVG_FDIV(a, b) __fdiv_rn((a), (b))
#define QVG_DADD(a, b) __dadd_rn((a), (b))
#define QVG_DDIV(a, b) __ddiv_rn((a), (b))
#define QVG_D2F(a) __double2float_rn(a)
#define QVG_F2I_BITS(f) __float_as_uint(f)
#define QVG_I2F_BITS(u) __uint_as_float(u)
#define QVG_RINT(f) rintf(f)
#define QVG_ROUND(f) roundf(f)
#else
#include <cmath>
#include <cstring>
static inline unsigned int qvg_host_f2u(float f) { unsigned int u; std::memcpy(&u, &f, 4); return u; }
static inline float qvg_host_u2f(unsigned int u) { float f; std::memcpy(&f, &u, 4); return f; }
#define QVG_FMUL(a, b) ((float)(a) * (float)(b))
#define QVG_FADD(a, b) ((float)(a) + (float)(b))
#define QVG_FSUB(a, b) ((float)(a) - (float)(b))
#define QVG_FDIV(a, b) ((float)(a) / (float)(b))
#define QVG_DADD(a, b) ((double)(a) + (double)(b))
#define QVG_DDIV(a, b) ((double)(a) / (double)(b))
#define QVG_D2F(a) ((float)(a))
#define QVG_F2I_BITS(f) qvg_host_f2u(f)
#define QVG_I2F_BITS(u) qvg_host_u2f(u)
#define QVG_RINT(f) std::rint(f)
#define QVG_ROUND(f) std::round(f)
#endif

#define QVG_MIN_SCALE 1e-10f

QVG_HD bool qvg_isnan(float a) { return a != a; }

// Java Math.max(float, float): NaN wins, +0.0 > -0.0.
QVG_HD float qvg_jmax(float a, float b) {
    if (qvg_isnan(a)) return a;
    if (qvg_isnan(b)) return b;
    if (a == b) return QVG_I2F_BITS(QVG_F2I_BITS(a) & QVG_F2I_BITS(b));  // only zeros differ: +0 wins
    return a > b ? a : b;
}

// Java Math.min(float, float): NaN wins, -0.0 < +0.0.
QVG_HD float qvg_jmin(float a, float b) {
    if (qvg_isnan(a)) return a;
    if (qvg_isnan(b)) return b;
    if (a == b) return QVG_I2F_BITS(QVG_F2I_BITS(a) | QVG_F2I_BITS(b));  // only zeros differ: -0 wins
    return a < b ? a : b;
}

// Java Math.abs(float): clears the sign bit (also of NaN).
QVG_HD float qvg_jabs(float a) { return QVG_I2F_BITS(QVG_F2I_BITS(a) & 0x7FFFFFFFu); }

// dev.qvg.api.tensor.Bf16.fromFloat: round to nearest even, NaN -> quiet NaN with the sign kept.
QVG_HD unsigned short qvg_bf16_encode(float f) {
    unsigned int bits = QVG_F2I_BITS(f);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) {
        return (unsigned short)(((bits >> 16) & 0x8000u) | 0x7FC0u);
    }
    unsigned int lsb = (bits >> 16) & 1u;
    return (unsigned short)((bits + 0x7FFFu + lsb) >> 16);
}

QVG_HD float qvg_bf16_decode(unsigned short h) { return QVG_I2F_BITS(((unsigned int)h) << 16); }

// 2^e as a float for -126 <= e <= 127 (exact).
QVG_HD float qvg_pow2(int e) { return QVG_I2F_BITS((unsigned int)(e + 127) << 23); }

// dev.qvg.api.tensor.Fp8E4M3.fromFloat: E4M3 "fn" (bias 7, max 448, no infinity), round to
// nearest even, saturating at +-448; NaN -> 0x7F with the sign kept.
// Codes 0..0x7E are consecutive integers whose spacing is constant within an exponent, so the
// code is the float value scaled to units of its quantum, rounded to nearest even: the code's
// parity is its mantissa's parity, which is what "ties to even" means here.
QVG_HD unsigned char qvg_fp8_encode(float f) {
    unsigned int bits = QVG_F2I_BITS(f);
    unsigned int sign = (bits >> 24) & 0x80u;
    if (qvg_isnan(f)) return (unsigned char)(sign | 0x7Fu);
    float a = qvg_jabs(f);
    if (a >= 448.0f) return (unsigned char)(sign | 0x7Eu);
    int code;
    if (a < 0.015625f) {                       // below 2^-6: subnormal range, quantum 2^-9
        code = (int)QVG_RINT(QVG_FMUL(a, 512.0f));    // exact scaling; 8 means 2^-6 (first normal)
    } else {
        int e = (int)((QVG_F2I_BITS(a) >> 23) & 0xFF) - 127;  // -6..8
        float m = QVG_FMUL(a, qvg_pow2(3 - e));              // in [8, 16), exact
        int r = (int)QVG_RINT(m);                             // 8..16; 16 carries into the exponent
        code = ((e + 7) << 3) + (r - 8);
    }
    return (unsigned char)(sign | (unsigned int)code);
}

// dev.qvg.api.tensor.Fp8E4M3.toFloat (exact).
QVG_HD float qvg_fp8_decode(unsigned char b) {
    unsigned int exp = (b >> 3) & 0xFu, man = b & 0x7u;
    float mag;
    if (exp == 0xFu && man == 0x7u) {
        mag = QVG_I2F_BITS(0x7FC00000u);
    } else if (exp == 0u) {
        mag = QVG_FMUL((float)man, 0.001953125f);  // man * 2^-9
    } else {
        mag = QVG_FMUL(QVG_FADD(1.0f, QVG_FMUL((float)man, 0.125f)), qvg_pow2((int)exp - 7));
    }
    return (b & 0x80u) ? -mag : mag;
}

// ScalePrecision.encode / decode: precision 0 = BF16, 1 = FP8 E4M3 (in the low byte).
QVG_HD unsigned short qvg_scale_encode(float v, int fp8) {
    return fp8 ? (unsigned short)qvg_fp8_encode(v) : qvg_bf16_encode(v);
}

QVG_HD float qvg_scale_decode(unsigned short s, int fp8) {
    return fp8 ? qvg_fp8_decode((unsigned char)(s & 0xFFu)) : qvg_bf16_decode(s);
}

// BlockCodec's clamp((int) max(lo, min(hi, round(v)))): NaN gives 0 as Java's (int) NaN does.
QVG_HD int qvg_code(float v, int lo, int hi) {
    float r = QVG_ROUND(v);  // half away from zero = Rounding.halfAwayFromZero
    if (qvg_isnan(r)) return 0;
    if (r < (float)lo) return lo;
    if (r > (float)hi) return hi;
    return (int)r;
}

// The code of one value given its block's used scale/zero (BlockCodec.quantizeRows, inner loop).
QVG_HD int qvg_quantize_value(float x, float usedScale, float usedZero, int symmetric, int qmax) {
    if (usedScale == 0.0f) return 0;
    if (symmetric) return qvg_code(QVG_FDIV(x, usedScale), -qmax, qmax);
    return qvg_code(QVG_FDIV(QVG_FSUB(x, usedZero), usedScale), 0, qmax);
}

// The byte a code is stored as before bit packing (BlockCodec.packRow): 8 bits keep the code's
// two's-complement byte; narrower codes are offset by +qmax when symmetric.
QVG_HD unsigned int qvg_stored_code(int code, int bits, int symmetric, int qmax) {
    if (bits == 8) return (unsigned int)code & 0xFFu;
    return (unsigned int)(code + (symmetric ? qmax : 0));
}

// Block statistics -> stored scale/zero and the float values the codes are divided by.
// For symmetric blocks lo is ignored and hi is absmax.
QVG_HD void qvg_block_params(float lo, float hi, int symmetric, int qmax, int fp8,
                             unsigned short* scaleOut, unsigned short* zeroOut, float* usedScale, float* usedZero) {
    float scale;
    if (symmetric) {
        scale = qvg_jmax(QVG_FDIV(hi, (float)qmax), QVG_MIN_SCALE);
        *usedZero = 0.0f;
    } else {
        scale = qvg_jmax(QVG_FDIV(QVG_FSUB(hi, lo), (float)qmax), QVG_MIN_SCALE);
        unsigned short z = qvg_scale_encode(lo, fp8);
        *zeroOut = z;
        *usedZero = fp8 ? qvg_scale_decode(z, fp8) : lo;
    }
    unsigned short s = qvg_scale_encode(scale, fp8);
    *scaleOut = s;
    *usedScale = fp8 ? qvg_scale_decode(s, fp8) : scale;
}

// Signed code of column `col` of one packed row (BlockCodec.unpackCode).
QVG_HD int qvg_unpack_code(const unsigned char* row, int col, int bits, int symmetric, int qmax) {
    if (bits == 8) {
        unsigned char b = row[col];
        return symmetric ? (int)(signed char)b : (int)b;
    }
    long long bit = (long long)col * bits;
    long long byteIdx = bit >> 3;
    int shift = (int)(bit & 7);
    unsigned int word = ((unsigned int)row[byteIdx]) << 8;
    if (shift + bits > 8) word |= row[byteIdx + 1];
    int u = (int)((word >> (16 - shift - bits)) & ((1u << bits) - 1u));
    return symmetric ? u - qmax : u;
}

// BlockCodec.dequantizeRows: q * scale (+ zero), separate multiply and add.
QVG_HD float qvg_dequant_value(int code, float scale, float zero, int symmetric) {
    float v = QVG_FMUL((float)code, scale);
    return symmetric ? v : QVG_FADD(v, zero);
}
