//! Random *valid* topologies (structured with `arbitrary`): they must always load up to the
//! graph; every rule then runs on any replication shape, and the findings must be
//! deterministic and point inside the file. Planner targets start from the same input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|topology: vrt_fuzz::ValidTopology| {
    vrt_fuzz::valid_topology_validate(&topology);
});
