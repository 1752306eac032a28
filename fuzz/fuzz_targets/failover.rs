//! `vrt failover` on random valid topologies (see `vrt_fuzz::failover` for what is checked).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|topology: vrt_fuzz::ValidTopology| {
    vrt_fuzz::failover(&topology);
});
