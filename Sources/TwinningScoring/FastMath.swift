import Foundation
import TwinningShared
import TwinningInput

/// Eight-lane single-precision exp and asin for the score transforms, which run on every
/// pair (145 million at full scale) and would otherwise dominate scoring.
package enum FastMath {
    /// `e^x` in double precision for x ≤ 0 (inputs below −708 give 0, less than 10⁻³⁰⁷),
    /// to about 2 ulp: Cody–Waite reduction `x = n·ln 2 + r`, |r| ≤ ½ ln 2 (ln 2 split in
    /// two so `n·ln 2` is exact), and the degree-13 Taylor polynomial of `e^r` (its next term
    /// under 10⁻¹⁷). Plain additions and multiplications only, so every CPU gives the same
    /// bits; `exp` from the C library picks its code by CPU.
    @inlinable @inline(__always)
    package static func exp(_ x: SIMD8<Double>) -> SIMD8<Double> {
        let clamped = x.replacing(with: -708, where: x .< -708)
        let t = clamped * 1.4426950408889634
        // The 1.5·2⁵² trick rounds to the nearest integer and leaves it in the low bits.
        let magic = t + 6_755_399_441_055_744
        let n = magic - 6_755_399_441_055_744
        let r = (clamped - n * 0.693147180369123816490) - n * 1.90821492927058770002e-10
        var p = SIMD8<Double>(repeating: 1.0 / 6_227_020_800)
        p = p * r + 1.0 / 479_001_600
        p = p * r + 1.0 / 39_916_800
        p = p * r + 1.0 / 3_628_800
        p = p * r + 1.0 / 362_880
        p = p * r + 1.0 / 40_320
        p = p * r + 1.0 / 5040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let bits = (unsafeBitCast(magic, to: SIMD8<Int64>.self) &- 0x4338_0000_0000_0000 &+ 1023) &<< 52
        let result = p * unsafeBitCast(bits, to: SIMD8<Double>.self)
        return result.replacing(with: 0, where: x .< -708)
    }

    /// `e^x` for x ≤ 0 (inputs below −87 give ≈ 0). Relative error < 3e-7: range
    /// reduction to `2^n · 2^r` with |r| ≤ ½ and a degree-7 Taylor polynomial of 2^r.
    @inlinable @inline(__always)
    package static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let t = x.replacing(with: -87, where: x .< -87) * 1.442695041
        // Round to the nearest integer with the 1.5·2²³ trick: adding it leaves the
        // integer in the low mantissa bits (stdlib rounding and conversions on SIMD
        // vectors run lane by lane, 4× slower than this whole function).
        let magic = t + 12_582_912
        let n = magic - 12_582_912
        let r = (t - n) * 0.6931471806     // r in [−ln2/2, ln2/2]
        var p = SIMD8<Float>(repeating: 1.0 / 5040)
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        let bits = (unsafeBitCast(magic, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        return p * unsafeBitCast(bits, to: SIMD8<Float>.self)
    }

    /// `√x` for x ≥ 0 by three Newton steps on the reciprocal square root (relative error
    /// < 3e-7): arithmetic only, so it stays vectorised where the library's lane-by-lane
    /// square root does not. Zero gives zero.
    @inlinable @inline(__always)
    package static func squareRoot(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let safe = x.replacing(with: 1, where: x .<= 0)
        let bits = unsafeBitCast(safe, to: SIMD8<UInt32>.self)
        var y = unsafeBitCast(SIMD8<UInt32>(repeating: 0x5F37_59DF) &- (bits &>> 1), to: SIMD8<Float>.self)
        let half = safe * 0.5
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        y = y * (1.5 - half * y * y)
        return (safe * y).replacing(with: 0, where: x .<= 0)
    }

    /// `asin(y)` for y in [0, 1]: the Taylor series to y¹⁵ where every lane is ≤ ½
    /// (relative error < 2e-7), the library function otherwise.
    @inlinable @inline(__always)
    package static func asin(_ y: SIMD8<Float>) -> SIMD8<Float> {
        // The largest lane, lane by lane (`any(y .> 0.5)` and `pointwiseMax` are generic
        // calls that are not inlined, and cost more than the series).
        var largest = y[0]
        for l in 1..<8 { largest = Swift.max(largest, y[l]) }
        if largest > 0.5 {
            var out = SIMD8<Float>()
            for l in 0..<8 { out[l] = asinf(y[l]) }
            return out
        }
        let z = y * y
        var p = SIMD8<Float>(repeating: 143.0 / 10240)
        p = p * z + 231.0 / 13312
        p = p * z + 63.0 / 2816
        p = p * z + 35.0 / 1152
        p = p * z + 5.0 / 112
        p = p * z + 3.0 / 40
        p = p * z + 1.0 / 6
        p = p * z + 1
        return y * p
    }

    /// `ln(x)` for x ≥ 1 (finite): the exponent, then `ln m` for the mantissa m in
    /// [√½, √2) by the series `2·atanh(s)`, `s = (m − 1)/(m + 1)`, |s| ≤ 0.172, to s¹¹
    /// (relative error < 1e-7).
    @inlinable @inline(__always)
    package static func log(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let bits = unsafeBitCast(x, to: SIMD8<Int32>.self)
        // Mantissa in [1, 2), then halved where above √2 (the exponent raised by one).
        var exponent = (bits &>> 23) &- 127
        var m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F80_0000, to: SIMD8<Float>.self)
        let high = m .> 1.41421356
        m = m.replacing(with: m * 0.5, where: high)
        exponent = exponent.replacing(with: exponent &+ 1, where: high)
        let s = (m - 1) / (m + 1), z = s * s
        var p = SIMD8<Float>(repeating: 2.0 / 11)
        p = p * z + 2.0 / 9
        p = p * z + 2.0 / 7
        p = p * z + 2.0 / 5
        p = p * z + 2.0 / 3
        p = p * z + 2
        // The exponent as a float by the 1.5·2²³ trick (a conversion would run lane by lane).
        let e = unsafeBitCast(exponent &+ 0x4B40_0000, to: SIMD8<Float>.self) - 12_582_912
        return e * 0.6931471806 + s * p
    }
}
