import Foundation

/// A raw pointer handed to worker threads that each touch disjoint elements.
package struct SharedBuffer<T>: @unchecked Sendable {
    package let base: UnsafeMutablePointer<T>
    package init(_ p: UnsafeMutableBufferPointer<T>) { base = p.baseAddress! }
    package init(_ p: UnsafeBufferPointer<T>) { base = UnsafeMutablePointer(mutating: p.baseAddress!) }
    package subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}
