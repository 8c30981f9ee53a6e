import TwinningShared

/// Where a fact about a pair comes from (an existing partnership, a coordinator's
/// decision, a rule), so that every message and output can point back to it.
public struct Provenance: Sendable, Hashable, CustomStringConvertible {
    public enum Origin: Sendable, Hashable {
        /// A line of an input file, path as given.
        case file(path: String, line: Int)
        /// A coordinator's decision recorded in the run store.
        case decision(decidedAt: String)
        /// Made in code (tests, other front ends).
        case code

        /// The file and line, when the fact comes from a file.
        public var location: (file: String, line: Int)? {
            if case let .file(path, line) = self { return (path, line) }
            return nil
        }
    }

    /// What the source says of the pair: `existing`, `accepted`, `rejected`, `locked`, `forbidden`.
    public let verb: String
    public let origin: Origin

    public init(_ verb: String, _ origin: Origin) {
        self.verb = verb
        self.origin = origin
    }

    /// The file and line, when the fact comes from a file.
    public var location: (file: String, line: Int)? { origin.location }

    /// `accepted in Data/ties.csv, line 3`, `rejected by a coordinator (2026-11-29T…)`.
    public var description: String {
        switch origin {
        case let .file(path, line): return "\(verb) in \(path), line \(line)"
        case let .decision(date): return "\(verb) by a coordinator (\(date))"
        case .code: return verb
        }
    }
}
