/// How the search reached a column: from a row (over that row's arc), or through a full
/// column group (the group hands one of its slots from the column that entered it).
/// Stored as one `Int32` so the vectorised relaxation writes it cheaply.
struct Predecessor: Equatable {
    private let code: Int32

    static let none = Predecessor(code: -1)
    @inline(__always) static func row(_ i: Int32) -> Predecessor { Predecessor(code: i) }
    @inline(__always) static func group(_ g: Int) -> Predecessor { Predecessor(code: -2 - Int32(g)) }

    enum Kind { case none, row(Int), group(Int) }

    var kind: Kind {
        if code >= 0 { return .row(Int(code)) }
        if code == -1 { return .none }
        return .group(Int(-2 - code))
    }
}
