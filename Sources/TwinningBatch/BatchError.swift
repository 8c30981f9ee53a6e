import Foundation
import Twinning

/// Why a batch command failed, in a sentence that says what to do.
public struct BatchError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem it is; cases may grow, so switch with a default.
    public enum Code: Sendable, Equatable {
        /// A job, input or decisions file is wrong: nothing was run or recorded.
        case input
        /// Another batch run holds the lock on the output folder.
        case locked
        /// The run store cannot be opened, read or written.
        case store
        /// An output folder cannot be written.
        case output
        /// A scenario's matching cannot be made (contradictory rules and decisions).
        case match
    }
    public let code: Code
    public let description: String
    /// The error this one wraps (an input file's problems, the solver's, SQLite's), for
    /// callers that switch on it; `description` already says what it says.
    public let underlying: (any Error & Sendable)?

    public init(_ code: Code, _ description: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.description = description
        self.underlying = underlying
    }
}

/// A hromada–partner pair by ids, as the run store keeps it (ids outlive registry rows).
public struct IDPair: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let hromada: String
    public let partner: String
    public init(_ hromada: String, _ partner: String) { self.hromada = hromada; self.partner = partner }
    public static func < (a: IDPair, b: IDPair) -> Bool { (a.hromada, a.partner) < (b.hromada, b.partner) }
    public var description: String { "\(hromada) – \(partner)" }
}
