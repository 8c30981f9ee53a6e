// The Twinning library: the layers below, in the one direction the compiler keeps
// (each target imports only those before it), re-exported so that `import Twinning`
// gives all of them.
//
//     TwinningShared → TwinningInput → TwinningScoring → TwinningMatching → TwinningOutput
//                                                     ↘ TwinningResearch
@_exported import TwinningShared
@_exported import TwinningInput
@_exported import TwinningScoring
@_exported import TwinningMatching
@_exported import TwinningOutput
@_exported import TwinningResearch
