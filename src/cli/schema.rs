use crate::error::Error;

use super::{Exit, Io};

/// Print the JSON Schema (draft-07) of the topology format, for editors.
///
/// The same schema is committed as `schemas/vrt.schema.json`; point the yaml-language-server
/// at it with a first line `# yaml-language-server: $schema=<path>/vrt.schema.json`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  vrt schema > schemas/vrt.schema.json")]
pub struct Args {}

pub fn run(_args: &Args, io: &mut Io<'_>) -> Result<Exit, Error> {
    let text = serde_json::to_string_pretty(&crate::schema()).map_err(std::io::Error::other)?;
    writeln!(io.out, "{text}")?;
    Ok(Exit::Clean)
}
