import Foundation
import FuzzDriver
import Twinning

/// Any bytes as a JSON registry of either side: an error naming a record, or a registry.
fuzz { start, count in
    let data = Data(bytes: start, count: count)
    for side in [Side.hromadas, .partners] { _ = try? Registry.parseJSON(data, file: "fuzz.json", side: side) }
}

