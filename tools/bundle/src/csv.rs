//! The CSV tables of the dataset: `figures.csv`, `quotes.csv`, `people.csv`, one row per item.
//!
//! Written by the `csv` crate: RFC 4180 quoting where needed, CRLF line ends, and a UTF-8 byte
//! order mark at the start so that Excel opens the Chinese text correctly. A cell a spreadsheet
//! would take for a formula gets a leading apostrophe (`field`).

use model::Article;

/// The byte order mark every CSV file starts with.
pub const BOM: &str = "\u{feff}";

pub const FIGURES_HEADER: &[&str] = &[
    "article_id",
    "headline",
    "district",
    "text",
    "value",
    "unit",
    "approx",
    "value_max",
    "subject",
    "period",
    "period_start",
    "period_end",
    "sentence",
];
pub const QUOTES_HEADER: &[&str] = &["article_id", "headline", "district", "speaker", "role", "text"];
pub const PEOPLE_HEADER: &[&str] = &["article_id", "headline", "district", "name", "role", "sentence"];

/// A cell that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab first, and not a
/// number) gets a leading apostrophe, so page text can never run as a formula in Excel.
fn field(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t']) && text.parse::<f64>().is_err() {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// CSV records with their CRLFs, each field guarded by `field`.
pub fn records<S: AsRef<str>>(rows: &[Vec<S>]) -> String {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .quote_style(::csv::QuoteStyle::Necessary)
        .flexible(true)
        .from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail.
        let _ = writer.write_record(row.iter().map(|f| field(f.as_ref()).into_owned()));
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// One CSV record with its CRLF.
pub fn record<S: AsRef<str>>(fields: &[S]) -> String {
    let row: Vec<&str> = fields.iter().map(AsRef::as_ref).collect();
    records(&[row])
}

fn number(value: f64) -> String {
    if value.is_finite() { value.to_string() } else { String::new() }
}

/// The `figures.csv` rows of an article.
pub fn figure_rows(a: &Article) -> String {
    let district = a.district.clone().unwrap_or_default();
    let rows: Vec<Vec<String>> = a
        .figures
        .iter()
        .map(|f| {
            let approx = f
                .approx
                .and_then(|x| serde_json::to_value(x).ok())
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            vec![
                a.id.clone(),
                a.headline.clone(),
                district.clone(),
                f.text.clone(),
                number(f.value),
                f.unit.clone(),
                approx,
                f.value_max.map(number).unwrap_or_default(),
                f.subject.clone().unwrap_or_default(),
                f.period.clone().unwrap_or_default(),
                f.period_start.clone().unwrap_or_default(),
                f.period_end.clone().unwrap_or_default(),
                f.sentence.clone(),
            ]
        })
        .collect();
    records(&rows)
}

/// The `quotes.csv` rows of an article.
pub fn quote_rows(a: &Article) -> String {
    let district = a.district.clone().unwrap_or_default();
    let rows: Vec<Vec<String>> = a
        .quotes
        .iter()
        .map(|q| {
            vec![
                a.id.clone(),
                a.headline.clone(),
                district.clone(),
                q.speaker.clone().unwrap_or_default(),
                q.role.clone().unwrap_or_default(),
                q.text.clone(),
            ]
        })
        .collect();
    records(&rows)
}

/// The `people.csv` rows of an article.
pub fn people_rows(a: &Article) -> String {
    let district = a.district.clone().unwrap_or_default();
    let rows: Vec<Vec<String>> = a
        .people
        .iter()
        .map(|p| {
            vec![
                a.id.clone(),
                a.headline.clone(),
                district.clone(),
                p.name.clone(),
                p.role.clone().unwrap_or_default(),
                p.sentence.clone(),
            ]
        })
        .collect();
    records(&rows)
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    #[test]
    fn text_a_spreadsheet_would_run_as_a_formula_is_guarded() {
        expect![[r#"
            "'=HYPERLINK(""x"")",'@cmd,-12.5,'-x
        "#]]
        .assert_eq(&super::record(&["=HYPERLINK(\"x\")", "@cmd", "-12.5", "-x"]).replace("\r\n", "\n"));
    }

    #[test]
    fn fields_with_commas_quotes_and_breaks_are_quoted() {
        expect![[r#"
            plain,"a,b","say ""hi""","two
            lines"
        "#]]
        .assert_eq(&super::record(&["plain", "a,b", "say \"hi\"", "two\nlines"]).replace("\r\n", "\n"));
    }
}
