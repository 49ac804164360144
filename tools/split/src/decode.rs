//! Turns a page file's bytes into text: the encoding is sniffed (BOM, strict UTF-8, then
//! chardetng), line ends are normalized to `\n`, the BOM is dropped.
//!
//! Bytes that cannot be decoded are an error with the byte offset of the first bad sequence,
//! never replacement characters: a page with mojibake would poison every later step. What is
//! not here: any layout decision.

use encoding_rs::{DecoderResult, Encoding, GB18030, GBK, UTF_8, UTF_16BE, UTF_16LE};

/// Decoded page text and the encoding it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text with `\n` line ends and no BOM.
    pub text: String,
    /// The encoding's name: `UTF-8`, `UTF-16LE`, `GB18030`, …
    pub encoding: String,
}

/// Why a page could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("not text: binary data (byte {byte:#04x}) at byte offset {offset}")]
    Binary { offset: usize, byte: u8 },
    #[error("cannot be decoded as {encoding}: malformed byte sequence at byte offset {offset}")]
    Malformed { encoding: String, offset: usize },
}

/// Decodes a page file.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let (mut encoding, body, guessed) = match Encoding::for_bom(bytes) {
        Some((encoding, bom_len)) => (encoding, &bytes[bom_len..], false),
        None => {
            let (encoding, guessed) = sniff(bytes)?;
            (encoding, bytes, guessed)
        }
    };
    let mut decoded = decode_strict(encoding, body);
    // A guess from the page's opening that the rest of it contradicts: guess from all of it.
    if decoded.is_err() && guessed {
        let whole = guess(body, None);
        if whole != encoding {
            encoding = whole;
            decoded = decode_strict(encoding, body);
        }
    }
    let text = decoded.map_err(|offset| DecodeError::Malformed {
        encoding: display_name(encoding).to_owned(),
        offset: offset + (bytes.len() - body.len()),
    })?;
    if let Some((offset, byte)) = binary_char(&text, encoding, bytes.len() - body.len()) {
        return Err(DecodeError::Binary { offset, byte });
    }
    Ok(Decoded { text: normalize_line_ends(&text), encoding: display_name(encoding).to_owned() })
}

/// The encoding of BOM-less bytes: UTF-8 when valid, UTF-16 when every other byte is zero, a
/// mostly-UTF-8 file with a few broken bytes is broken UTF-8 (reported, not re-guessed), and
/// anything else goes to chardetng (then the flag is set: the encoding is a guess from the
/// page's opening).
fn sniff(bytes: &[u8]) -> Result<(&'static Encoding, bool), DecodeError> {
    if let Some(offset) = bytes.iter().position(|b| *b == 0) {
        return match utf16_without_bom(bytes) {
            Some(encoding) => Ok((encoding, false)),
            None => Err(DecodeError::Binary { offset, byte: 0 }),
        };
    }
    let error = match std::str::from_utf8(bytes) {
        Ok(_) => return Ok((UTF_8, false)),
        Err(error) => error,
    };
    if looks_like_broken_utf8(bytes) {
        return Err(DecodeError::Malformed { encoding: "UTF-8".to_owned(), offset: error.valid_up_to() });
    }
    Ok((guess(bytes, Some(SNIFF_NON_ASCII)), true))
}

/// How many non-ASCII bytes chardetng reads of a page: five hundred Chinese characters tell
/// GB18030 from Big5 or Shift_JIS as a whole page does (2,778 rendered GB18030 pages, the
/// tests), and reading all of it was a third of split on mixed pages.
const SNIFF_NON_ASCII: usize = 1024;

/// chardetng's guess from the bytes up to the `limit`-th non-ASCII byte (all of them: `None`).
fn guess(bytes: &[u8], limit: Option<usize>) -> &'static Encoding {
    let end = limit
        .and_then(|limit| bytes.iter().enumerate().filter(|(_, b)| !b.is_ascii()).nth(limit).map(|(at, _)| at))
        .unwrap_or(bytes.len());
    let mut detector = chardetng::EncodingDetector::new();
    // A prefix is not the end of the stream: a character cut at its end is not held against it.
    detector.feed(&bytes[..end], end == bytes.len());
    let guess = detector.guess(None, true);
    // GBK text is decoded as GB18030, its superset: the same bytes mean the same characters.
    if guess == GBK { GB18030 } else { guess }
}

/// UTF-16 without a BOM: the zero bytes fall on one parity (ASCII and Latin text) or the text is
/// even-length and decodes cleanly with ideographs in it.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let sample = &bytes[..bytes.len().min(4096)];
    let zeros_even = sample.iter().step_by(2).filter(|b| **b == 0).count();
    let zeros_odd = sample.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    let pairs = sample.len() / 2;
    if zeros_odd * 10 >= pairs * 3 && zeros_even == 0 {
        Some(UTF_16LE)
    } else if zeros_even * 10 >= pairs * 3 && zeros_odd == 0 {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Whether invalid UTF-8 is still mostly UTF-8: many valid multi-byte sequences, few bad ones.
fn looks_like_broken_utf8(bytes: &[u8]) -> bool {
    let (mut good, mut bad) = (0usize, 0usize);
    let mut rest = bytes;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(text) => {
                good += text.chars().filter(|c| c.len_utf8() > 1).count();
                break;
            }
            Err(error) => {
                let valid = &rest[..error.valid_up_to()];
                // Safe to count: the prefix was just validated.
                good += std::str::from_utf8(valid).map_or(0, |t| t.chars().filter(|c| c.len_utf8() > 1).count());
                bad += 1;
                let skip = error.error_len().unwrap_or(rest.len() - error.valid_up_to());
                rest = &rest[error.valid_up_to() + skip..];
            }
        }
        if bad > 64 {
            break;
        }
    }
    good >= 8 && good >= bad * 20
}

/// Decodes without replacement; the error is the offset of the first malformed sequence.
fn decode_strict(encoding: &'static Encoding, bytes: &[u8]) -> Result<String, usize> {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder.max_utf8_buffer_length_without_replacement(bytes.len()).unwrap_or(bytes.len() * 3);
    let mut text = String::with_capacity(capacity);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut text, true);
    match result {
        DecoderResult::InputEmpty => Ok(text),
        DecoderResult::Malformed(bad, extra) => Err(read - bad as usize - extra as usize),
        // The buffer was sized for the worst case, so this does not happen; report the place.
        DecoderResult::OutputFull => Err(read),
    }
}

/// A control character that text does not contain (NUL, other C0 codes but tab, form feed and
/// line ends), with its approximate byte offset in the input.
fn binary_char(text: &str, encoding: &'static Encoding, bom_len: usize) -> Option<(usize, u8)> {
    let (index, c) = text.char_indices().find(|(_, c)| {
        let c = *c as u32;
        c < 0x20 && !matches!(c, 0x09 | 0x0A | 0x0C | 0x0D) || c == 0x7F
    })?;
    // For UTF-8 the char offset is the byte offset; for other encodings it is an estimate.
    let offset = if encoding == UTF_8 { index + bom_len } else { bom_len + text[..index].chars().count() };
    Some((offset, c as u8))
}

fn display_name(encoding: &'static Encoding) -> &'static str {
    if encoding == GB18030 || encoding == GBK { "GB18030" } else { encoding.name() }
}

/// CRLF and lone CR become LF.
fn normalize_line_ends(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_owned();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(encoding: &'static Encoding, text: &str) -> Vec<u8> {
        encoding.encode(text).0.into_owned()
    }

    #[test]
    fn every_supported_encoding_decodes_to_the_same_text() {
        let text = "西湖区留下街道：5公里“汽车街”\n记者从市统计局获悉，今年前三季度全市经济稳中有进。\n";
        let mut utf8_bom = vec![0xEF, 0xBB, 0xBF];
        utf8_bom.extend_from_slice(text.as_bytes());
        let mut utf16le = vec![0xFF, 0xFE];
        utf16le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut utf16be = vec![0xFE, 0xFF];
        utf16be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        let gb = encode(GB18030, &text.repeat(4));
        for (bytes, name, expected) in [
            (text.as_bytes().to_vec(), "UTF-8", text.to_owned()),
            (utf8_bom, "UTF-8", text.to_owned()),
            (utf16le, "UTF-16LE", text.to_owned()),
            (utf16be, "UTF-16BE", text.to_owned()),
            (gb, "GB18030", text.repeat(4)),
            (text.replace('\n', "\r\n").into_bytes(), "UTF-8", text.to_owned()),
            (text.replace('\n', "\r").into_bytes(), "UTF-8", text.to_owned()),
        ] {
            let decoded = decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!((decoded.encoding.as_str(), decoded.text.as_str()), (name, expected.as_str()));
        }
    }

    #[test]
    fn a_page_longer_than_what_detection_reads_decodes_whole() {
        // Detection reads the opening only; the page is decoded to its last character.
        let text = "西湖区留下街道：5公里“汽车街”，记者从市统计局获悉。\n".repeat(400) + "末行：杭州";
        let bytes = encode(GB18030, &text);
        assert!(bytes.iter().filter(|b| !b.is_ascii()).count() > 4 * SNIFF_NON_ASCII);
        let decoded = decode(&bytes).expect("decodes");
        assert_eq!((decoded.encoding.as_str(), decoded.text), ("GB18030", text));
    }

    #[test]
    fn detection_from_the_opening_tells_big5_from_gb18030() {
        let text =
            "臺北市政府今天宣布，將在三個行政區新建公園，市民出門就能見到綠地。記者從市統計局獲悉。\n".repeat(60);
        let bytes = encode(encoding_rs::BIG5, &text);
        assert!(bytes.iter().filter(|b| !b.is_ascii()).count() > 2 * SNIFF_NON_ASCII);
        let decoded = decode(&bytes).expect("decodes");
        assert_eq!((decoded.encoding.as_str(), decoded.text), ("Big5", text));
    }

    #[test]
    fn a_broken_utf8_byte_is_an_error_at_its_offset() {
        let mut bytes = "记者从市统计局获悉，今年前三季度全市经济稳中有进。".as_bytes().to_vec();
        bytes.insert(9, 0xFF);
        assert_eq!(decode(&bytes), Err(DecodeError::Malformed { encoding: "UTF-8".into(), offset: 9 }));
    }

    #[test]
    fn binary_data_is_an_error_not_text() {
        let bytes: Vec<u8> = (0..=255u8).cycle().take(2048).collect();
        assert!(matches!(decode(&bytes), Err(DecodeError::Binary { .. })), "{:?}", decode(&bytes));
    }

    #[test]
    fn an_empty_file_decodes_to_empty_text() {
        assert_eq!(decode(b"").map(|d| d.text), Ok(String::new()));
    }
}
