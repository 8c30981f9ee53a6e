import Foundation
import FuzzDriver
import Twinning

/// Any bytes as a weights file and a rules file.
fuzz { start, count in
    guard let text = String(data: Data(bytes: start, count: count), encoding: .utf8) else { return }
    _ = try? Weights.parse(text, file: "fuzz.yaml")
    _ = try? Rules.parse(text, file: "fuzz.yaml")
}

