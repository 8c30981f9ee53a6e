import Foundation
import TwinningShared

/// Gathers the problems of several loads, so a user sees every problem of every file in
/// one run rather than one file at a time.
public struct ProblemCollector {
    public private(set) var errors: [InputError] = []

    public init() {}

    /// Runs a load; its problems are kept and nil is returned when it fails.
    public mutating func attempt<T>(_ body: () throws(InputErrors) -> T) -> T? {
        do { return try body() } catch {
            errors += error.errors
            return nil
        }
    }

    public mutating func add(_ error: InputError) { errors.append(error) }

    /// Throws everything gathered, if anything.
    public func finish() throws(InputErrors) {
        if !errors.isEmpty { throw InputErrors(errors) }
    }
}

/// The files of a matching, as the user named them.
public struct InputPaths: Sendable {
    public var hromadas: String
    public var partners: String
    public var ties: String?
    public var rules: String?
    public var weights: String?
    /// Sign-ups overlays (``SignupOverlay``) laid over the partners or the hromadas, by
    /// their columns.
    public var signups: [String]

    public init(hromadas: String, partners: String, ties: String? = nil, rules: String? = nil, weights: String? = nil,
                signups: [String] = []) {
        self.hromadas = hromadas
        self.partners = partners
        self.ties = ties
        self.rules = rules
        self.weights = weights
        self.signups = signups
    }

    /// Role → path of every input file.
    public var byRole: [String: String] {
        var out = ["hromadas": hromadas, "partners": partners]
        out["ties"] = ties
        out["rules"] = rules
        out["weights"] = weights
        for (k, path) in signups.enumerated() { out[Self.signupsRole(k)] = path }
        return out
    }

    /// The role of the `k`-th sign-ups overlay: `signups`, `signups-2`, …
    public static func signupsRole(_ k: Int) -> String { k == 0 ? "signups" : "signups-\(k + 1)" }
}

/// An input file as outputs record it: the path as given and its SHA-256, so that anyone
/// can check with `sha256sum` that a file is the one a run read.
public struct InputRecord: Sendable, Hashable, Codable {
    public let path: String
    public let sha256: String
    public init(path: String, sha256: String) { self.path = path; self.sha256 = sha256 }
}

