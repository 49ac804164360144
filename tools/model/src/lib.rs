//! The shared document model of the newsdesk pipeline and the code that reads and writes it.
//!
//! - `doc`: the types every step exchanges (page, article, section, caption, figure, quote,
//!   person, place, organization, diagnostic). Pure data.
//! - `options`: each step's options, the tables of `config/pipeline.toml`. Pure data.
//! - `gazetteer`: the division gazetteer parsed from CSV text and indexed by name. Pure.
//! - `template`: built-in templates overridden file by file, errors with file and line. Pure.
//! - `location`: the line and column of a byte offset (where a TOML configuration error is). Pure.
//! - `text`: character classes and spacing repairs of Chinese text, shared by split and clean.
//! - `wire`: the versioned JSON artifact between steps. Pure encode/decode.
//! - `io` and `batch`: atomic file writes and the parallel batch driver of the step binaries.
//!   The only IO in this crate; step libraries never use them, only binaries and `xtask`.

pub mod batch;
pub mod doc;
pub mod gazetteer;
pub mod io;
pub mod location;
pub mod options;
pub mod template;
pub mod text;
pub mod wire;

pub use doc::*;
