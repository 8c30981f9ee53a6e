/// Why an assignment problem could not be solved, in words a user can act on.
public struct AssignmentError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of problem it is; cases may grow, so switch with a default.
    public enum Code: Equatable, Sendable {
        case shapeMismatch
        case notANumber(row: Int, column: Int)
        case invalidSlots
        case lockedOutOfRange(Pair)
        case lockedForbidden(Pair)
        case lockedTwice(Pair)
        case lockedExceedsRowSlots(row: Int, locked: Int, slots: Int)
        case lockedExceedsColumnSlots(column: Int, locked: Int, slots: Int)
        case lockedExceedsGroupSlots(group: Int, locked: Int, slots: Int)
        case invalidGroups
        /// Not every row (or column, when `side == .columns`) can be served: the listed
        /// indices want more partners than their allowed partners can take together.
        case infeasible(side: Side, members: [Int], demand: Int, supply: Int)
    }

    /// Which side of the matrix a set of indices refers to.
    public enum Side: Equatable, Sendable { case rows, columns }

    public let code: Code
    public let description: String

    /// Two errors are the same when their codes are; the wording may change.
    public static func == (a: AssignmentError, b: AssignmentError) -> Bool { a.code == b.code }

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}

extension AssignmentError {
    static func infeasible(side: Side, members: [Int], demand: Int, supply: Int) -> AssignmentError {
        let noun = side == .rows ? "rows" : "columns"
        let other = side == .rows ? "columns" : "rows"
        let shown = members.prefix(20).map(String.init).joined(separator: ", ")
        let more = members.count > 20 ? ", … (\(members.count) in all)" : ""
        return AssignmentError(
            .infeasible(side: side, members: members, demand: demand, supply: supply),
            "no full matching exists: \(noun) {\(shown)\(more)} need \(demand) partner(s) "
                + "but the \(other) allowed for them can take only \(supply); "
                + "allow more pairs, raise slots, or use a threshold for a partial matching")
    }
}
