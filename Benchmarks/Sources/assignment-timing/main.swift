import Assignment
import Foundation

// Usage: assignment-timing DIR REPEATS — reads DIR/cases.json written by the peer script.
let dir = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "/tmp/twinning-bench"
let repeats = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2])! : 3
struct Case: Decodable { let name: String; let file: String; let rows: Int; let columns: Int; let maximize: Bool }
let cases = try JSONDecoder().decode([Case].self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/cases.json")))
var results: [String: [String: Double]] = [:]
for c in cases {
    let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + c.file))
    let values = data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    let problem = AssignmentProblem(rows: c.rows, columns: c.columns, values: values,
                                    objective: c.maximize ? .maximize : .minimize)
    var times: [Double] = [], total = 0.0
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        total = try problem.solve().total
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    times.sort()
    results[c.name] = ["seconds": times[times.count / 2], "total": total]
    FileHandle.standardError.write(Data("twinning \(c.name): \(times[times.count / 2]) s\n".utf8))
}
let json = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
FileManager.default.createFile(atPath: dir + "/twinning.json", contents: json)
