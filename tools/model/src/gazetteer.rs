//! The division gazetteer: provinces, cities, districts and streets of China with their national
//! codes, parsed from the CSV text of `config/gazetteer/` and indexed by name.
//!
//! Pure: callers read the files and pass their text; nothing here touches the file system. Every
//! division is indexed under its full name (`西湖区`, `留下街道`) and, where the rest is still a
//! name of two characters or more, under the name without its suffix (`西湖`, `留下`). Such short
//! forms are flagged as aliases because many are ordinary words too (`留下` means "leave behind"):
//! the caller decides how far to trust them (autonomous divisions lose their peoples' names too:
//! `甘南藏族自治州` is also `甘南`). What is *not* here: choosing the place an article is about
//! (that needs the article's words; see `extract::places`).

use rustc_hash::FxHashMap;

/// The level of a division.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DivisionKind {
    Province,
    City,
    /// A district, county or county-level city (`areas.csv`).
    District,
    /// A sub-district, town or township (`streets.csv`: 街道, 镇, 乡).
    Street,
}

impl DivisionKind {
    /// The name used for it in `Place::kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            DivisionKind::Province => "province",
            DivisionKind::City => "city",
            DivisionKind::District => "district",
            DivisionKind::Street => "street",
        }
    }
}

/// One division.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Division {
    /// The national statistical code (`330106`, `330106009`).
    pub code: String,
    pub name: String,
    pub kind: DivisionKind,
    /// The code of the district (for streets) or city (for districts) it belongs to; the
    /// province for cities; empty for provinces.
    pub parent: String,
}

impl Division {
    /// Whether the division lies in the city (or district, or province) with code prefix `prefix`.
    /// An empty prefix matches nothing.
    pub fn is_within(&self, prefix: &str) -> bool {
        !prefix.is_empty() && self.code.starts_with(prefix)
    }
}

/// Where a division's name was found in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameMatch {
    /// Character (not byte) offsets, end exclusive.
    pub start: usize,
    pub end: usize,
    /// Whether the matched text is a short form (`西湖` for `西湖区`) rather than a full name.
    pub alias: bool,
}

/// The CSV texts a gazetteer is built from; provinces and cities are optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct GazetteerCsv<'a> {
    pub provinces: Option<&'a str>,
    pub cities: Option<&'a str>,
    pub areas: &'a str,
    pub streets: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct GazetteerError {
    /// `areas.csv`, `streets.csv`, …
    pub file: &'static str,
    /// 1-based line.
    pub line: usize,
    pub message: String,
}

/// An index of divisions by name.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    divisions: Vec<Division>,
    /// Every indexed name with the divisions it denotes.
    names: NameIndex,
    /// Division index by code.
    by_code: FxHashMap<String, usize>,
}

/// The indexed names, those of two characters or more grouped by their first two characters:
/// for `find_names` each position of a text costs one hash lookup, and only the names starting
/// with the two characters there are compared.
#[derive(Debug, Clone, Default)]
struct NameIndex {
    /// (first, second character) → the names starting so, longest first.
    by_prefix: FxHashMap<(char, char), Vec<IndexedName>>,
    /// A bit per hash of (first, second character) of the names of `by_prefix`: small enough to
    /// stay in the processor's cache, it rules out most positions of a text before the lookup.
    prefix_bits: Vec<u64>,
    /// The characters of all names of `by_prefix`, one after the other.
    pool: Vec<char>,
    /// Names of one character (never searched for in texts, only looked up).
    single: FxHashMap<char, Vec<(usize, bool)>>,
}

#[derive(Debug, Clone)]
struct IndexedName {
    /// Where its characters are in `NameIndex::pool`.
    start: usize,
    len: usize,
    /// Whether it is only a short form (`西湖`): no division has it as its full name.
    alias: bool,
    /// (division index, is an alias) of every division it names.
    divisions: Vec<(usize, bool)>,
}

/// The size of `NameIndex::prefix_bits`, in bits (32 KiB).
const PREFIX_BITS: usize = 1 << 18;

/// The bit of `NameIndex::prefix_bits` for a name starting with `first`, `second`.
fn prefix_bit(first: char, second: char) -> usize {
    let key = (u64::from(first) << 32) | u64::from(second);
    // Fibonacci hashing: the top bits of the product are well mixed.
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PREFIX_BITS.trailing_zeros())) as usize
}

impl NameIndex {
    /// Indexes `name` as a name of division `index`.
    fn insert(&mut self, name: &str, index: usize, alias: bool) {
        let mut chars = name.chars();
        let Some(first) = chars.next() else { return };
        let Some(second) = chars.next() else {
            self.single.entry(first).or_default().push((index, alias));
            return;
        };
        let start = self.pool.len();
        self.pool.push(first);
        self.pool.push(second);
        self.pool.extend(chars);
        let len = self.pool.len() - start;
        if self.prefix_bits.is_empty() {
            self.prefix_bits = vec![0; PREFIX_BITS / 64];
        }
        let bit = prefix_bit(first, second);
        self.prefix_bits[bit / 64] |= 1 << (bit % 64);
        let bucket = self.by_prefix.entry((first, second)).or_default();
        let pool = &self.pool;
        if let Some(known) = bucket.iter_mut().find(|n| pool[n.start..n.start + n.len] == pool[start..]) {
            // The same name again (many towns share one): a full name of any division makes it
            // a full name.
            known.alias &= alias;
            known.divisions.push((index, alias));
            self.pool.truncate(start);
            return;
        }
        let at = bucket.partition_point(|n| n.len >= len);
        bucket.insert(at, IndexedName { start, len, alias, divisions: vec![(index, alias)] });
    }

    /// The divisions `name` denotes.
    fn get(&self, name: &str) -> &[(usize, bool)] {
        let mut chars = name.chars();
        let (Some(first), second) = (chars.next(), chars.next()) else { return &[] };
        let Some(second) = second else {
            return self.single.get(&first).map(Vec::as_slice).unwrap_or_default();
        };
        let Some(bucket) = self.by_prefix.get(&(first, second)) else { return &[] };
        bucket
            .iter()
            .find(|n| self.pool[n.start..n.start + n.len].iter().copied().eq(name.chars()))
            .map(|n| n.divisions.as_slice())
            .unwrap_or_default()
    }

    /// Every name of two characters or more at the start of `chars`, longest first:
    /// (length, is alias).
    fn all_at<'a>(&'a self, chars: &'a [char]) -> impl Iterator<Item = (usize, bool)> + 'a {
        let bucket = match (chars.first(), chars.get(1)) {
            (Some(&first), Some(&second)) => {
                let bit = prefix_bit(first, second);
                if self.prefix_bits.get(bit / 64).is_none_or(|word| word & (1 << (bit % 64)) == 0) {
                    None
                } else {
                    self.by_prefix.get(&(first, second))
                }
            }
            _ => None,
        };
        bucket
            .into_iter()
            .flatten()
            .filter(|n| chars.get(..n.len).is_some_and(|text| text == &self.pool[n.start..n.start + n.len]))
            .map(|n| (n.len, n.alias))
    }

    /// The longest name of two characters or more at the start of `chars`: (length, is alias).
    fn longest_at(&self, chars: &[char]) -> Option<(usize, bool)> {
        let (first, second) = (*chars.first()?, *chars.get(1)?);
        let bit = prefix_bit(first, second);
        if self.prefix_bits.get(bit / 64).is_none_or(|word| word & (1 << (bit % 64)) == 0) {
            return None;
        }
        let bucket = self.by_prefix.get(&(first, second))?;
        bucket
            .iter()
            .find(|n| chars.get(..n.len).is_some_and(|text| text == &self.pool[n.start..n.start + n.len]))
            .map(|n| (n.len, n.alias))
    }
}

/// Suffixes stripped to make a short form, longest first, per kind.
const PROVINCE_SUFFIXES: &[&str] = &["维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市"];
const CITY_SUFFIXES: &[&str] = &["自治州", "地区", "盟", "市"];
const DISTRICT_SUFFIXES: &[&str] = &["自治县", "自治旗", "新区", "区", "县", "市", "旗"];
const STREET_SUFFIXES: &[&str] = &["街道办事处", "街道", "民族乡", "镇", "乡"];

/// The peoples named in autonomous divisions' names (`甘南藏族自治州`), without `族`.
const PEOPLES: &[&str] = &[
    "藏",
    "朝鲜",
    "土家",
    "苗",
    "蒙古",
    "回",
    "维吾尔",
    "壮",
    "彝",
    "傣",
    "白",
    "哈尼",
    "景颇",
    "傈僳",
    "布依",
    "侗",
    "羌",
    "哈萨克",
    "柯尔克孜",
    "瑶",
    "黎",
    "畲",
    "满",
    "达斡尔",
    "鄂温克",
    "鄂伦春",
    "仡佬",
    "水",
    "毛南",
    "仫佬",
    "纳西",
    "普米",
    "独龙",
    "怒",
    "拉祜",
    "佤",
    "布朗",
    "阿昌",
    "德昂",
    "基诺",
    "撒拉",
    "保安",
    "东乡",
    "裕固",
    "土",
    "锡伯",
    "塔吉克",
    "各",
];

impl Gazetteer {
    /// Parses the CSV files described in `config/gazetteer/README.md`.
    pub fn from_csv(csv: GazetteerCsv<'_>) -> Result<Gazetteer, GazetteerError> {
        let mut gazetteer = Gazetteer::default();
        if let Some(text) = csv.provinces {
            for_each_row("provinces.csv", text, 2, |fields| {
                gazetteer.push(fields[0], fields[1], DivisionKind::Province, "");
            })?;
        }
        if let Some(text) = csv.cities {
            for_each_row("cities.csv", text, 3, |fields| {
                gazetteer.push(fields[0], fields[1], DivisionKind::City, fields[2]);
            })?;
        }
        for_each_row("areas.csv", csv.areas, 3, |fields| {
            gazetteer.push(fields[0], fields[1], DivisionKind::District, fields[2]);
        })?;
        for_each_row("streets.csv", csv.streets, 3, |fields| {
            gazetteer.push(fields[0], fields[1], DivisionKind::Street, fields[2]);
        })?;
        Ok(gazetteer)
    }

    fn push(&mut self, code: &str, name: &str, kind: DivisionKind, parent: &str) {
        // The statistical tables list placeholder "districts" such as 市辖区 ("city proper"); they
        // name no place.
        if name.is_empty() || name == "市辖区" || name == "县" || name == "省直辖县级行政区划" {
            return;
        }
        let index = self.divisions.len();
        self.divisions.push(Division { code: code.to_owned(), name: name.to_owned(), kind, parent: parent.to_owned() });
        self.by_code.entry(code.to_owned()).or_insert(index);
        self.index(name, index, false);
        let suffixes = match kind {
            DivisionKind::Province => PROVINCE_SUFFIXES,
            DivisionKind::City => CITY_SUFFIXES,
            DivisionKind::District => DISTRICT_SUFFIXES,
            DivisionKind::Street => STREET_SUFFIXES,
        };
        if let Some(short) = suffixes.iter().find_map(|suffix| name.strip_suffix(suffix))
            && short.chars().count() >= 2
        {
            self.index(short, index, true);
            // 甘南藏族自治州 is 甘南, 恩施土家族苗族自治州 恩施: the peoples' names go too.
            let mut stem = short;
            while let Some(rest) = stem.strip_suffix('族') {
                match PEOPLES.iter().find_map(|people| rest.strip_suffix(people)) {
                    Some(shorter) => stem = shorter,
                    None => break,
                }
            }
            if stem != short && stem.chars().count() >= 2 {
                self.index(stem, index, true);
            }
        }
    }

    fn index(&mut self, name: &str, index: usize, alias: bool) {
        self.names.insert(name, index, alias);
    }

    /// All divisions.
    pub fn divisions(&self) -> &[Division] {
        &self.divisions
    }

    /// The division at `index` (as returned by `lookup`).
    pub fn division(&self, index: usize) -> &Division {
        &self.divisions[index]
    }

    /// The division with exactly this code.
    pub fn by_code(&self, code: &str) -> Option<&Division> {
        self.index_of_code(code).map(|i| &self.divisions[i])
    }

    /// The divisions a name (full or short form) may denote: (index, whether by alias).
    pub fn lookup(&self, name: &str) -> &[(usize, bool)] {
        self.names.get(name)
    }

    /// Every name (full or short form) that starts at `chars[0]`, longest first: (length in
    /// characters, whether it is only a short form). For callers that match at word boundaries
    /// of their own (`extract::places`), where the longest name may not end on one.
    pub fn names_at<'a>(&'a self, chars: &'a [char]) -> impl Iterator<Item = (usize, bool)> + 'a {
        self.names.all_at(chars)
    }

    /// The division a code prefix names exactly (`33` a province, `3301` a city, `330106` a
    /// district), by a hash lookup.
    pub fn index_of_code(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).copied()
    }

    /// Finds names of divisions in `text`, leftmost-longest and not overlapping. Linear in the
    /// length of the text: at each position one lookup of the two characters there, then a
    /// comparison with the few names that start with them, longest first.
    pub fn find_names(&self, text: &str) -> Vec<NameMatch> {
        let chars: Vec<char> = text.chars().collect();
        let mut found = Vec::new();
        let mut i = 0;
        while i + 1 < chars.len() {
            match self.names.longest_at(&chars[i..]) {
                Some((len, alias)) => {
                    found.push(NameMatch { start: i, end: i + len, alias });
                    i += len;
                }
                None => i += 1,
            }
        }
        found
    }

    /// Of the divisions `name` may denote with kind `kind`, the best: inside `within` (a code
    /// prefix, such as a district's code for a street) first, then inside `home` (the home city's
    /// code prefix), then the first listed.
    pub fn resolve(&self, name: &str, kind: DivisionKind, within: &str, home: &str) -> Option<usize> {
        let candidates: Vec<usize> =
            self.lookup(name).iter().map(|(i, _)| *i).filter(|i| self.divisions[*i].kind == kind).collect();
        candidates
            .iter()
            .copied()
            .find(|i| self.divisions[*i].is_within(within))
            .or_else(|| candidates.iter().copied().find(|i| self.divisions[*i].is_within(home)))
            .or_else(|| candidates.first().copied())
    }
}

/// Calls `row` with the fields of each data row of a CSV file, in order: header skipped, fields
/// unquoted. Names in these tables contain no commas or quotes, so a plain split is exact; a row
/// with too few fields is an error (and the caller's partial result is to be dropped).
fn for_each_row<'a>(
    file: &'static str,
    text: &'a str,
    min_fields: usize,
    mut row: impl FnMut(&[&'a str]),
) -> Result<(), GazetteerError> {
    let mut fields: Vec<&str> = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let line = line.trim_end_matches('\r').trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            continue;
        }
        fields.clear();
        fields.extend(line.split(',').map(|f| f.trim().trim_matches('"')));
        if fields.len() < min_fields {
            return Err(GazetteerError {
                file,
                line: n + 1,
                message: format!("expected at least {min_fields} fields, found {}", fields.len()),
            });
        }
        row(&fields);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const AREAS: &str = "code,name,cityCode,provinceCode\n330106,\"西湖区\",3301,33\n360103,\"西湖区\",3601,36\n330114,\"钱塘区\",3301,33\n330112,\"临安区\",3301,33\n";
    const STREETS: &str = "code,name,areaCode,provinceCode,cityCode\n330106009,\"留下街道\",330106,33,3301\n330114001,\"下沙街道\",330114,33,3301\n";

    fn gazetteer() -> Gazetteer {
        Gazetteer::from_csv(GazetteerCsv { areas: AREAS, streets: STREETS, ..GazetteerCsv::default() }).expect("parses")
    }

    #[test]
    fn full_names_and_short_forms_are_found_leftmost_longest() {
        let g = gazetteer();
        let text = "杭州钱塘下沙街道与临安、西湖区";
        let found: Vec<(String, bool)> = g
            .find_names(text)
            .iter()
            .map(|m| (text.chars().skip(m.start).take(m.end - m.start).collect(), m.alias))
            .collect();
        assert_eq!(
            found,
            vec![("钱塘".into(), true), ("下沙街道".into(), false), ("临安".into(), true), ("西湖区".into(), false)]
        );
    }

    #[test]
    fn a_short_form_that_is_also_a_full_name_is_not_an_alias() {
        let streets = format!("{STREETS}330106010,\"钱塘\",330106,33,3301\n");
        let g = Gazetteer::from_csv(GazetteerCsv { areas: AREAS, streets: &streets, ..GazetteerCsv::default() })
            .expect("parses");
        let found: Vec<(usize, usize, bool)> =
            g.find_names("钱塘西湖").iter().map(|m| (m.start, m.end, m.alias)).collect();
        assert_eq!(found, vec![(0, 2, false), (2, 4, true)]);
        assert_eq!(g.lookup("钱塘").len(), 2);
    }

    #[test]
    fn ambiguous_names_prefer_the_home_city() {
        let g = gazetteer();
        let i = g.resolve("西湖区", DivisionKind::District, "", "3601").expect("found");
        assert_eq!(g.division(i).code, "360103");
        let i = g.resolve("西湖", DivisionKind::District, "", "3301").expect("found");
        assert_eq!(g.division(i).code, "330106");
    }

    #[test]
    fn a_short_row_is_an_error_with_file_and_line() {
        let err = Gazetteer::from_csv(GazetteerCsv { areas: "h\n1,2\n", streets: "", ..GazetteerCsv::default() })
            .expect_err("short row");
        assert_eq!(err.to_string(), "areas.csv:2: expected at least 3 fields, found 2");
    }
}
