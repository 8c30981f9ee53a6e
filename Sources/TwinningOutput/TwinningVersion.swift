import TwinningShared
import TwinningInput
import TwinningScoring
import TwinningMatching

/// The tool's version, recorded in every output it writes.
public enum TwinningVersion {
    public static let string = "0.2.0"
}
