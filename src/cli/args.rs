//! The flags shared by the commands: the topology read ([`InputArgs`]) and where the
//! product goes ([`OutputArgs`]).

use std::path::PathBuf;

use crate::error::Error;
use crate::output::{Clobber, Output};

use super::{Io, LimitArgs};

/// The topology a planner command reads, and the input limits. Flatten into the command's
/// `Args` (`#[command(flatten)] input: InputArgs`).
#[derive(Clone, Debug, clap::Args)]
pub struct InputArgs {
    /// Topology file; `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub file: String,
    /// The input limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

impl InputArgs {
    /// Reads and loads the topology; `Ok(None)` when it has errors, which are rendered to
    /// `io.err` (the caller exits 1).
    pub fn load(&self, io: &mut Io<'_>) -> Result<Option<crate::graph::Topology>, Error> {
        super::load_topology_with(&self.file, self.limits.limits(), io)
    }

    /// [`InputArgs::load`], also returning the source, for planners that report findings
    /// of their own.
    pub fn load_with_source(
        &self,
        io: &mut Io<'_>,
    ) -> Result<Option<(crate::source::Source, crate::graph::Topology)>, Error> {
        super::load_source_and_topology(&self.file, self.limits.limits(), io)
    }
}

/// Where a command writes its product. Flatten into the command's `Args`
/// (`#[command(flatten)] output: OutputArgs`), call [`OutputArgs::open`] before the work
/// and [`Output::finish`] with the whole product.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct OutputArgs {
    /// Write to this file instead of standard output (`-`: standard output). A file is
    /// replaced atomically, only once the whole output is written; a device or FIFO is
    /// written in place; a symbolic link to a file, a folder or a socket is refused.
    #[arg(long, short, value_name = "PATH")]
    pub output: Option<PathBuf>,
}

impl OutputArgs {
    /// Opens the output, replacing an existing file.
    pub fn open(&self) -> Result<Output, Error> {
        self.open_with(Clobber::Replace)
    }

    /// Opens the output; with [`Clobber::Refuse`] an existing file is an error (atomically).
    pub fn open_with(&self, clobber: Clobber) -> Result<Output, Error> {
        Ok(Output::open(self.output.as_deref(), clobber)?)
    }

    /// The output file, unless it is standard output.
    pub fn path(&self) -> Option<&std::path::Path> {
        self.output.as_deref().filter(|p| p.as_os_str() != "-")
    }
}
