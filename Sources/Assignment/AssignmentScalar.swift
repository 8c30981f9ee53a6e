/// The element types the solver reads: it computes in `Double` whatever the input.
public protocol AssignmentScalar: BinaryFloatingPoint, Sendable {}

extension Double: AssignmentScalar {}
extension Float: AssignmentScalar {}

/// Four consecutive values from `base + j`, widened to `Double`. The type checks fold
/// away: `AssignmentProblem.solve()` routes `Float` and `Double` to specialised code.
@inline(__always)
func load4<S: AssignmentScalar>(_ base: UnsafePointer<S>, _ j: Int) -> SIMD4<Double> {
    if S.self == Double.self {
        return UnsafeRawPointer(base + j).loadUnaligned(as: SIMD4<Double>.self)
    }
    if S.self == Float.self {
        return SIMD4<Double>(UnsafeRawPointer(base + j).loadUnaligned(as: SIMD4<Float>.self))
    }
    return SIMD4<Double>(Double(base[j]), Double(base[j + 1]), Double(base[j + 2]), Double(base[j + 3]))
}
