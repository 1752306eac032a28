//! `vrt firewall` on random valid topologies (see `vrt_fuzz::firewall` for what is checked).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|topology: vrt_fuzz::ValidTopology| {
    vrt_fuzz::firewall(&topology);
});
