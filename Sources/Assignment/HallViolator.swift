/// A set of rows that cannot all be served: together they want more partners than the
/// columns allowed for them can take (Hall's condition fails). When a search from a row
/// reaches no sink, the rows and columns it scanned form such a set.
struct HallViolator {
    var rows: [Int]
    var demand: Int
    var supply: Int
}

extension Search {
    /// The violator left by a search that reached no sink: its scanned rows want what
    /// they hold plus their open demand; its scanned columns can give what they hold
    /// plus their free slots, and the rows can keep what they hold outside the set.
    func violator() -> HallViolator {
        let rows = scannedRows.map(Int.init).sorted()
        let inside = Set(scannedColumns)
        var supply = 0
        for j in scannedColumns { supply += columnRows[Int(j)].count + free[Int(j)] }
        for r in rows { supply += rowColumns[r].filter { !inside.contains($0) }.count }
        let need = rows.reduce(0) { $0 + rowColumns[$1].count + demand[$1] }
        return HallViolator(rows: rows, demand: need, supply: supply)
    }
}
