import Foundation
import FuzzDriver
import Twinning

/// Any bytes as a CSV file, a hromadas file and a partners file: an error or a table,
/// never a crash.
fuzz { start, count in
    let data = Data(bytes: start, count: count)
    _ = try? CSVTable.parse(data, file: "fuzz.csv")
    _ = try? CSVTable.parse(data, file: "fuzz.csv", header: false)
    for side in [Side.hromadas, .partners] { _ = try? Registry.parse(data, file: "fuzz.csv", side: side) }
}

