import Crypto
import Foundation
import TwinningShared

/// SHA-256 digests of input files, as `sha256sum` prints them (lowercase hex), so an
/// operator can check what a run read with standard tools.
public enum Digest {
    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// The digest of a file's bytes, or a problem naming the path.
    public static func sha256(path: String) throws(InputErrors) -> String {
        sha256(try InputFile.bytes(path: path))
    }
}
