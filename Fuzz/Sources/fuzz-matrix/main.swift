import Foundation
import FuzzDriver
import Twinning

/// Any bytes as an `assign` matrix.
fuzz { start, count in
    _ = try? NumericMatrix.parse(Data(bytes: start, count: count), file: "fuzz.csv")
}

