//! Every Rust example of the READMEs compiles: `build.rs` writes each into a module of this
//! test, so a broken example is a compile error here.

include!(concat!(env!("OUT_DIR"), "/readme_examples.rs"));

#[test]
fn every_readme_has_examples_and_they_compile() {
    for (readme, count) in EXAMPLES {
        assert!(*count > 0, "{readme} has no Rust example to compile");
    }
    let total: usize = EXAMPLES.iter().map(|(_, n)| n).sum();
    assert!(total >= 7, "expected the repository README's examples and one per crate, got {total}");
}
