//! Integration tests of `split`, one binary: data-driven layout fixtures (`tests/fixtures/ok`
//! page → `.expect` rendering, `err` page → `.expect` error), the character accounting on every
//! fixture and every seed, the encodings, bad input, and furniture never becoming a title.
//!
//! `UPDATE_EXPECT=1 cargo test -p split` rewrites the `.expect` files; review the diff.

mod accounting;
mod bad_input;
mod encodings;
mod fixtures;
mod props;
mod support;
mod titles;
