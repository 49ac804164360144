//! End-to-end tests of the `bundle` binary: fixture pages written as artifacts into a temporary
//! folder, the binary run on them, its outputs checked (search, manifest, inertness, templates,
//! and a headless browser over the site). Not a test of the upstream steps' extraction quality.

mod browser;
mod fixtures;
mod incremental;
mod outputs;
mod templates;
