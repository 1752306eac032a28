//! Arbitrary bytes as a topology file: decode (UTF-8, BOMs, line ends), parse within the
//! limits, build the model and graph, run every rule, render the findings. Nothing may
//! panic, and every finding must point inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    vrt_fuzz::load_and_validate(bytes);
});
