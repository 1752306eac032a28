//! Why vrt could not run (exit code 2), as opposed to findings about a topology.

/// A failure to run: unreadable input, bad usage, a failed write.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The path could not be read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The path as given.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The path is a directory.
    #[error("`{0}` is a directory; give the path of a topology file")]
    IsDirectory(String),
    /// The path is a FIFO that nothing wrote to (no writer when it was opened).
    #[error(
        "`{0}` is a FIFO and nothing wrote to it; start its writer first, or pipe the topology to `vrt validate -`"
    )]
    EmptyFifo(String),
    /// A code or name given to `vrt explain` is not a rule.
    #[error("no rule has the code or name `{0}`; run `vrt explain` to list them")]
    UnknownRule(String),
    /// A `--lose` name that names nothing, or several things.
    #[error("{0}")]
    BadTarget(String),
    /// Writing output failed.
    #[error("cannot write output: {0}")]
    Write(#[from] std::io::Error),
}
