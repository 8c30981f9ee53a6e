import Foundation

/// A raw pointer handed to worker threads that each touch disjoint elements.
struct SharedBuffer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
    init(_ p: UnsafeMutableBufferPointer<T>) { base = p.baseAddress! }
    init(_ p: UnsafeBufferPointer<T>) { base = UnsafeMutablePointer(mutating: p.baseAddress!) }
    subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}
