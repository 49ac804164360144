//! The artifact format between steps: one JSON document per page per step.
//!
//! ```json
//! {"format": "newsdesk-page", "version": 1, "step": "clean", "page": { …Page… }}
//! ```
//!
//! `format` names the document kind, `version` is bumped on any incompatible change of the
//! `Page` model, `step` names the step that wrote it. A reader refuses other formats and versions
//! with an error that says which step to re-run. Encoding and decoding are pure; the file IO is in
//! `io`.

use serde::{Deserialize, Serialize};

use crate::doc::Page;

pub const FORMAT: &str = "newsdesk-page";
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct EnvelopeRef<'a> {
    format: &'a str,
    version: u32,
    step: &'a str,
    page: &'a Page,
}

#[derive(Deserialize)]
struct Envelope {
    format: String,
    version: u32,
    step: String,
    page: Page,
}

#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("not valid artifact JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("artifact format `{found}` is not `{FORMAT}`")]
    Format { found: String },
    #[error(
        "artifact version {found} written by step `{step}` is not version {VERSION}; re-run `{step}` (cargo xtask run {step} --force)"
    )]
    Version { found: u32, step: String },
}

/// Serializes a page as the artifact of `step`.
pub fn encode(step: &str, page: &Page) -> Vec<u8> {
    let envelope = EnvelopeRef { format: FORMAT, version: VERSION, step, page };
    // Serializing plain data with string keys cannot fail.
    let mut bytes = serde_json::to_vec(&envelope).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Parses an artifact, checking its format and version. Returns the writing step and the page.
pub fn decode(bytes: &[u8]) -> Result<(String, Page), WireError> {
    let envelope: Envelope = serde_json::from_slice(bytes)?;
    if envelope.format != FORMAT {
        return Err(WireError::Format { found: envelope.format });
    }
    if envelope.version != VERSION {
        return Err(WireError::Version { found: envelope.version, step: envelope.step });
    }
    Ok((envelope.step, envelope.page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_the_page() {
        let page = Page { id: "p1".into(), furniture: vec!["专版".into()], ..Page::default() };
        let (step, back) = decode(&encode("split", &page)).expect("decodes");
        assert_eq!(step, "split");
        assert_eq!(back, page);
    }

    #[test]
    fn other_versions_are_refused_with_the_step_to_rerun() {
        let bytes = br#"{"format":"newsdesk-page","version":99,"step":"clean","page":{}}"#;
        let err = decode(bytes).expect_err("refused").to_string();
        assert!(err.contains("re-run `clean`"), "{err}");
    }

    #[test]
    fn truncated_json_is_an_error_not_a_panic() {
        let bytes = encode("split", &Page::default());
        assert!(decode(&bytes[..bytes.len() / 2]).is_err());
    }
}
