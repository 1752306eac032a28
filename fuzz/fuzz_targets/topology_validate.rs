//! Random well-formed topologies (structured with `arbitrary`): every combination of roles,
//! references, versions, zones, networks and firewall rules the format can express, valid
//! or not. Validation must not panic, must be deterministic, and must point inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|topology: vrt_fuzz::Topology| {
    vrt_fuzz::topology_validate(&topology);
});
