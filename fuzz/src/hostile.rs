//! The input of the `render` fuzz target: a valid topology and a hostile string.

use arbitrary::Arbitrary;

use crate::ValidTopology;

/// A valid topology and a hostile string (see [`crate::render`]) to write into every free-text
/// value of it: pieces chosen from [`crate::render::ATOMS`], then any text.
#[derive(Arbitrary, Debug, Clone)]
pub struct Hostile {
    topology: ValidTopology,
    atoms: Vec<u8>,
    raw: String,
}

/// Every renderer of every command and format on a valid topology whose free-text values
/// all carry the hostile string: the invariants of `tests/hostile_outputs.rs` (see
/// [`crate::render::check`]).
pub fn render(h: &Hostile) {
    let (source, topology) = h.topology.load();
    crate::render::check(
        &source,
        &topology,
        &crate::render::payload(&h.atoms, &h.raw),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The renderer target over a fixed corpus: inputs built from pseudo-random bytes (the
    /// same every run), as `cargo fuzz run render` would start from.
    #[test]
    fn render_holds_on_a_fixed_corpus() {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..48 {
            let bytes: Vec<u8> = (0..2048)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state.to_le_bytes()[0]
                })
                .collect();
            let mut u = arbitrary::Unstructured::new(&bytes);
            if let Ok(h) = Hostile::arbitrary(&mut u) {
                render(&h);
            }
        }
    }
}
