//! The CSV tables of the dataset: `figures.csv`, `quotes.csv`, `people.csv`, one row per item.
//!
//! RFC 4180 quoting, CRLF line ends, and a UTF-8 byte order mark at the start so that Excel
//! opens the Chinese text correctly. Deliberately not done: formula neutralisation (a cell is
//! written exactly as extracted; open the file with "Data > From Text" to be safe).

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
    "sentence",
];
pub const QUOTES_HEADER: &[&str] = &["article_id", "headline", "district", "speaker", "role", "text"];
pub const PEOPLE_HEADER: &[&str] = &["article_id", "headline", "district", "name", "role", "sentence"];

/// One CSV field, quoted when it holds a comma, quote or line break. A field that a spreadsheet
/// would take for a formula (`=`, `+`, `-`, `@` first) gets a leading apostrophe, so page text
/// can never run as a formula in Excel.
fn field(text: &str) -> String {
    let guarded;
    let text = if text.starts_with(['=', '+', '-', '@', '\t']) && text.parse::<f64>().is_err() {
        guarded = format!("'{text}");
        guarded.as_str()
    } else {
        text
    };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}

/// One CSV record with its CRLF.
pub fn record<S: AsRef<str>>(fields: &[S]) -> String {
    let mut line = fields.iter().map(|f| field(f.as_ref())).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

fn number(value: f64) -> String {
    if value.is_finite() { value.to_string() } else { String::new() }
}

/// The `figures.csv` rows of an article.
pub fn figure_rows(a: &Article) -> String {
    let district = a.district.clone().unwrap_or_default();
    a.figures
        .iter()
        .map(|f| {
            let approx = f
                .approx
                .and_then(|x| serde_json::to_value(x).ok())
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            record(&[
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
                f.sentence.clone(),
            ])
        })
        .collect()
}

/// The `quotes.csv` rows of an article.
pub fn quote_rows(a: &Article) -> String {
    let district = a.district.clone().unwrap_or_default();
    a.quotes
        .iter()
        .map(|q| {
            record(&[
                a.id.clone(),
                a.headline.clone(),
                district.clone(),
                q.speaker.clone().unwrap_or_default(),
                q.role.clone().unwrap_or_default(),
                q.text.clone(),
            ])
        })
        .collect()
}

/// The `people.csv` rows of an article.
pub fn people_rows(a: &Article) -> String {
    let district = a.district.clone().unwrap_or_default();
    a.people
        .iter()
        .map(|p| {
            record(&[
                a.id.clone(),
                a.headline.clone(),
                district.clone(),
                p.name.clone(),
                p.role.clone().unwrap_or_default(),
                p.sentence.clone(),
            ])
        })
        .collect()
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
