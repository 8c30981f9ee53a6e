import ArgumentParser
import LinearAlgebra
import Twinning

struct TwinningCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twinning",
        abstract: "Propose peer-to-peer partnerships between Ukrainian hromadas and European municipalities.",
        version: "twinning " + TwinningVersion.string + "\n" + BLASRuntime.summary,
        subcommands: [Match.self, Report.self, Explain.self, Shortlist.self, Validate.self, Evaluate.self, Tune.self, Batch.self, Decide.self, Intake.self, Assign.self])
}
