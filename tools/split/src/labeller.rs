//! The line labeller: a linear-chain model over a page's lines, trained as an averaged
//! structured perceptron and decoded with Viterbi over the allowed label transitions.
//!
//! The model file (`config/split-model.txt`) is data: a header naming the labels, then one
//! `trans FROM TO WEIGHT` line per learned transition and one `feat NAME<TAB>label=weight …`
//! line per feature, sorted, so a retrained model diffs readably and training is reproducible
//! byte for byte. Features come from `features::page_features` only. The hard constraints
//! (`allowed`) say what a page can look like at all: a subtitle follows a headline, a kicker or
//! series is followed by a headline, a page starts with furniture or a header; the weights
//! say everything else.
//!
//! Not here: what the labels mean for the `Page` (that is `layout` and `lib.rs`).

use std::collections::HashMap;
use std::fmt::Write as _;

use rustc_hash::FxBuildHasher;

use crate::features::LineFeatures;
use crate::layout::Class;

/// The labels, in model order.
pub const LABELS: [Class; 13] = [
    Class::Furniture,
    Class::Series,
    Class::Kicker,
    Class::Headline,
    Class::Subtitle,
    Class::KickerHeadline,
    Class::Byline,
    Class::Heading,
    Class::Body,
    Class::Caption,
    Class::CaptionCredit,
    Class::Credit,
    Class::BodyByline,
];
const L: usize = LABELS.len();
/// The virtual label before the first line and after the last.
const EDGE: usize = L;

pub fn label_index(class: Class) -> usize {
    LABELS.iter().position(|c| *c == class).unwrap_or(8)
}

/// Whether the label sequence may go from `from` to `to` (`None` is the page edge).
pub fn allowed(from: Option<Class>, to: Option<Class>) -> bool {
    use Class::*;
    match (from, to) {
        // A page opens with furniture or an article header.
        (None, Some(to)) => matches!(to, Furniture | Series | Kicker | Headline | KickerHeadline),
        // A series or kicker is always followed by its headline.
        (Some(Series | Kicker), None) => false,
        (_, None) => true,
        (Some(Series), Some(to)) => matches!(to, Series | Kicker | Headline | KickerHeadline),
        (Some(Kicker), Some(to)) => matches!(to, Kicker | Headline),
        (Some(from), Some(Subtitle)) => matches!(from, Headline | KickerHeadline | Subtitle),
        // An article has more than a header: no new header right after a headline.
        (Some(Headline | KickerHeadline | Subtitle), Some(Series | Kicker | KickerHeadline)) => false,
        (Some(KickerHeadline | Subtitle), Some(Headline)) => false,
        _ => true,
    }
}

/// Whether a line labelled `to` after one labelled `from` opens a new article.
pub fn starts_article(from: Option<Class>, to: Class) -> bool {
    use Class::*;
    match to {
        Series => from != Some(Series),
        Kicker => !matches!(from, Some(Series | Kicker)),
        Headline => !matches!(from, Some(Series | Kicker | Headline)),
        KickerHeadline => !matches!(from, Some(Series)),
        _ => false,
    }
}

/// Weights by feature hash (`features::feature_hash`); the hash is its own key.
type Weights = HashMap<u64, [f32; L], NoHash>;

/// Hashes are already well mixed; looking them up needs no second hash.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHash;

impl std::hash::BuildHasher for NoHash {
    type Hasher = NoHasher;
    fn build_hasher(&self) -> NoHasher {
        NoHasher(0)
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct NoHasher(u64);

impl std::hash::Hasher for NoHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A trained model: per-feature label weights and transition weights.
#[derive(Debug, Clone, Default)]
pub struct Model {
    weights: Weights,
    /// `trans[from][to]`, `EDGE` standing for the page edge.
    trans: Vec<[f32; L + 1]>,
}

/// Why a model file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ModelError {
    pub line: usize,
    pub message: String,
}

impl Model {
    /// The model shipped in `config/split-model.txt`, embedded at build time.
    pub fn builtin() -> Model {
        Model::parse(include_str!("../../../config/split-model.txt")).unwrap_or_default()
    }

    /// Reads a model file.
    pub fn parse(text: &str) -> Result<Model, ModelError> {
        let mut model = Model { weights: Weights::default(), trans: vec![[0.0; L + 1]; L + 1] };
        let label_of = |name: &str| -> Option<usize> {
            if name == "edge" {
                return Some(EDGE);
            }
            LABELS.iter().position(|c| c.as_str() == name)
        };
        for (no, line) in text.lines().enumerate() {
            let err = |message: String| ModelError { line: no + 1, message };
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(rest) = line.strip_prefix("labels ") {
                let names: Vec<&str> = rest.split(' ').collect();
                let expected: Vec<&str> = LABELS.iter().map(|c| c.as_str()).collect();
                if names != expected {
                    return Err(err(format!("labels {rest:?} are not this splitter's labels {expected:?}")));
                }
            } else if let Some(rest) = line.strip_prefix("trans ") {
                let parts: Vec<&str> = rest.split(' ').collect();
                let [from, to, weight] = parts[..] else { return Err(err("trans needs FROM TO WEIGHT".into())) };
                let (Some(from), Some(to)) = (label_of(from), label_of(to)) else {
                    return Err(err(format!("unknown label in {rest:?}")));
                };
                model.trans[from][to] = weight.parse().map_err(|_| err(format!("bad weight {weight:?}")))?;
            } else if let Some(rest) = line.strip_prefix("feat ") {
                let Some((name, weights)) = rest.split_once('\t') else {
                    return Err(err("feat needs NAME<TAB>label=weight …".into()));
                };
                let mut row = [0.0f32; L];
                for pair in weights.split(' ') {
                    let Some((label, weight)) = pair.split_once('=') else {
                        return Err(err(format!("bad label=weight {pair:?}")));
                    };
                    let Some(k) = label_of(label).filter(|k| *k < L) else {
                        return Err(err(format!("unknown label {label:?}")));
                    };
                    row[k] = weight.parse().map_err(|_| err(format!("bad weight {weight:?}")))?;
                }
                model.weights.insert(crate::features::feature_hash(name), row);
            } else {
                return Err(err(format!("unexpected line {line:?}")));
            }
        }
        Ok(model)
    }

    /// Whether the model has any weights (an empty model labels everything by constraints).
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    fn emission(&self, features: &[u64]) -> [f32; L] {
        let mut score = [0.0f32; L];
        for f in features {
            if let Some(row) = self.weights.get(f) {
                for k in 0..L {
                    score[k] += row[k];
                }
            }
        }
        score
    }

    /// The best allowed label sequence for a page's lines, given their feature hashes and
    /// whether each line follows the one before without a blank line (`joined`).
    /// A line marked `no_title` is never a title line (series, kicker, headline, subtitle):
    /// see `features::never_title`.
    pub fn decode(&self, page: &[Vec<u64>], joined: &[bool], no_title: &[bool]) -> Vec<Class> {
        self.decode_from(page, joined, no_title, None)
    }

    /// `decode` with the headline of the page's first article at line `at`, every line before
    /// it furniture: for a page on which `decode` found no header at all.
    pub fn decode_with_headline_at(
        &self,
        page: &[Vec<u64>],
        joined: &[bool],
        no_title: &[bool],
        at: usize,
    ) -> Vec<Class> {
        self.decode_from(page, joined, no_title, Some(at))
    }

    fn decode_from(
        &self,
        page: &[Vec<u64>],
        joined: &[bool],
        no_title: &[bool],
        headline_at: Option<usize>,
    ) -> Vec<Class> {
        let mut emissions: Vec<[f32; L]> = page.iter().map(|f| self.emission(f)).collect();
        if let Some(at) = headline_at {
            for (i, emission) in emissions.iter_mut().enumerate().take(at + 1) {
                let keep = label_index(if i == at { Class::Headline } else { Class::Furniture });
                for (k, e) in emission.iter_mut().enumerate() {
                    if k != keep {
                        *e = f32::NEG_INFINITY;
                    }
                }
            }
        }
        for (emission, _) in emissions.iter_mut().zip(no_title).filter(|(_, no)| **no) {
            for (k, label) in LABELS.iter().enumerate() {
                if matches!(
                    label,
                    Class::Series | Class::Kicker | Class::Headline | Class::Subtitle | Class::KickerHeadline
                ) {
                    emission[k] = f32::NEG_INFINITY;
                }
            }
        }
        let trans = |from: usize, to: usize| self.trans.get(from).map_or(0.0, |row| row[to]);
        viterbi(&emissions, joined, trans).into_iter().map(|k| LABELS[k]).collect()
    }

    /// The features that weighed most for `label` on one line, strongest first.
    pub fn explain(&self, features: &LineFeatures, label: Class, top: usize) -> Vec<(String, f32)> {
        let k = label_index(label);
        let mut weighed: Vec<(String, f32)> = features
            .iter()
            .filter_map(|f| self.weights.get(&crate::features::feature_hash(f)).map(|row| (f.clone(), row[k])))
            .filter(|(_, w)| *w != 0.0)
            .collect();
        weighed.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(&b.0)));
        weighed.truncate(top);
        weighed
    }
}

/// Whether a title line may continue the title line above: a title wrapped over two printed
/// lines has no blank line between them.
fn continues(from: usize, to: usize) -> bool {
    from == to && matches!(LABELS.get(from), Some(Class::Series | Class::Kicker | Class::Headline))
}

/// Viterbi over `L` labels with the hard constraints; `trans(from, to)` with `EDGE` for the page
/// edge; `joined[i]` says line `i` follows line `i - 1` without a blank line. Linear in the
/// number of lines.
fn viterbi(emissions: &[[f32; L]], joined: &[bool], trans: impl Fn(usize, usize) -> f32) -> Vec<usize> {
    let n = emissions.len();
    if n == 0 {
        return Vec::new();
    }
    let class = |k: usize| if k == EDGE { None } else { Some(LABELS[k]) };
    let mut ok = [[false; L + 1]; L + 1];
    for (from, row) in ok.iter_mut().enumerate() {
        for (to, cell) in row.iter_mut().enumerate() {
            *cell = allowed(class(from), class(to));
        }
    }
    const NEG: f32 = f32::NEG_INFINITY;
    let mut score = vec![[NEG; L]; n];
    let mut back = vec![[0u8; L]; n];
    for k in 0..L {
        if ok[EDGE][k] {
            score[0][k] = emissions[0][k] + trans(EDGE, k);
        }
    }
    for i in 1..n {
        for k in 0..L {
            let mut best = NEG;
            let mut arg = 0;
            let apart = !joined.get(i).copied().unwrap_or(true);
            for j in 0..L {
                if !ok[j][k] || score[i - 1][j] == NEG || apart && continues(j, k) {
                    continue;
                }
                let s = score[i - 1][j] + trans(j, k);
                if s > best {
                    best = s;
                    arg = j;
                }
            }
            if best > NEG {
                score[i][k] = best + emissions[i][k];
                back[i][k] = arg as u8;
            }
        }
    }
    let mut best = NEG;
    let mut last = label_index(Class::Body);
    for k in 0..L {
        if ok[k][EDGE] && score[n - 1][k] != NEG {
            let s = score[n - 1][k] + trans(k, EDGE);
            if s > best {
                best = s;
                last = k;
            }
        }
    }
    let mut path = vec![0; n];
    path[n - 1] = last;
    for i in (1..n).rev() {
        path[i - 1] = back[i][path[i]] as usize;
    }
    path
}

/// One training page: its lines' features and their true labels.
#[derive(Debug, Clone)]
pub struct Example {
    pub features: Vec<LineFeatures>,
    /// Whether each line follows the one before without a blank line.
    pub joined: Vec<bool>,
    pub labels: Vec<Class>,
}

/// Training settings; the defaults are what `cargo xtask train-split` uses.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    pub epochs: usize,
    /// Seeds the order examples are visited in, so training is reproducible.
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions { epochs: 8, seed: 1 }
    }
}

/// A small deterministic generator (SplitMix64), so training depends on no crate's RNG.
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// Integer weights with the running sums averaging needs (Collins 2002, Daumé's lazy trick).
struct Averaged {
    w: Vec<[i64; L]>,
    u: Vec<[i64; L]>,
    tw: Vec<[i64; L + 1]>,
    tu: Vec<[i64; L + 1]>,
}

/// One training page: feature ids per line, label indices, whether each line is joined to the
/// one before.
type Encoded = (Vec<Vec<u32>>, Vec<usize>, Vec<bool>);

/// Collects training pages, interning their features as they come (a page's feature strings
/// are dropped once it is added, so memory holds small integers only).
#[derive(Default)]
pub struct Trainer {
    index: HashMap<String, u32, FxBuildHasher>,
    names: Vec<String>,
    pages: Vec<Encoded>,
}

impl Trainer {
    /// Adds one page `times` times (a page repeated weighs more).
    pub fn add(&mut self, example: &Example, times: usize) {
        let feats: Vec<Vec<u32>> = example
            .features
            .iter()
            .map(|line| {
                line.iter()
                    .map(|f| match self.index.get(f.as_str()) {
                        Some(&id) => id,
                        None => {
                            let id = self.names.len() as u32;
                            self.index.insert(f.clone(), id);
                            self.names.push(f.clone());
                            id
                        }
                    })
                    .collect()
            })
            .collect();
        let labels: Vec<usize> = example.labels.iter().map(|c| label_index(*c)).collect();
        for _ in 1..times.max(1) {
            self.pages.push((feats.clone(), labels.clone(), example.joined.clone()));
        }
        self.pages.push((feats, labels, example.joined.clone()));
    }

    /// Pages added so far (repeats counted).
    pub fn pages(&self) -> usize {
        self.pages.len()
    }

    pub fn lines(&self) -> usize {
        self.pages.iter().map(|p| p.1.len()).sum()
    }

    /// Trains the model; the same pages, in the same order, and options give the same file.
    pub fn train(&self, options: TrainOptions) -> String {
        train_encoded(&self.names, &self.pages, options)
    }
}

/// Trains a model on `examples`; the same examples and options give the same file, byte for
/// byte (integer updates, a fixed visiting order, sorted output).
pub fn train(examples: &[Example], options: TrainOptions) -> String {
    let mut trainer = Trainer::default();
    for e in examples {
        trainer.add(e, 1);
    }
    trainer.train(options)
}

fn train_encoded(names: &[String], encoded: &[Encoded], options: TrainOptions) -> String {
    let mut a = Averaged {
        w: vec![[0; L]; names.len()],
        u: vec![[0; L]; names.len()],
        tw: vec![[0; L + 1]; L + 1],
        tu: vec![[0; L + 1]; L + 1],
    };
    let mut c: i64 = 1;
    let mut order: Vec<usize> = (0..encoded.len()).collect();
    let mut rng = SplitMix(options.seed);
    for _ in 0..options.epochs {
        for i in (1..order.len()).rev() {
            let j = rng.below(i + 1);
            order.swap(i, j);
        }
        for &e in &order {
            let (feats, gold, joined) = &encoded[e];
            let emissions: Vec<[f32; L]> = feats
                .iter()
                .map(|line| {
                    let mut s = [0.0f32; L];
                    for &f in line {
                        let row = &a.w[f as usize];
                        for k in 0..L {
                            s[k] += row[k] as f32;
                        }
                    }
                    s
                })
                .collect();
            let predicted = viterbi(&emissions, joined, |from, to| a.tw[from][to] as f32);
            if predicted != *gold {
                for (i, line) in feats.iter().enumerate() {
                    let (g, p) = (gold[i], predicted[i]);
                    if g != p {
                        for &f in line {
                            let f = f as usize;
                            a.w[f][g] += 1;
                            a.u[f][g] += c;
                            a.w[f][p] -= 1;
                            a.u[f][p] -= c;
                        }
                    }
                }
                let mut bump = |from: usize, to: usize, delta: i64| {
                    a.tw[from][to] += delta;
                    a.tu[from][to] += delta * c;
                };
                let edge = |path: &[usize], i: usize| if i == 0 { EDGE } else { path[i - 1] };
                for i in 0..=gold.len() {
                    let (gf, pf) = (edge(gold, i), edge(&predicted, i));
                    let (gt, pt) = if i == gold.len() { (EDGE, EDGE) } else { (gold[i], predicted[i]) };
                    if (gf, gt) != (pf, pt) {
                        bump(gf, gt, 1);
                        bump(pf, pt, -1);
                    }
                }
            }
            c += 1;
        }
    }
    let avg = |w: i64, u: i64| -> f64 { w as f64 - u as f64 / c as f64 };
    let name_of = |k: usize| if k == EDGE { "edge" } else { LABELS[k].as_str() };
    let mut out = String::new();
    out.push_str("# newsdesk split model: a linear-chain line labeller (averaged perceptron).\n");
    out.push_str("# Written by `cargo xtask train-split`; see tools/split/src/labeller.rs for the format.\n");
    let _ = writeln!(out, "# {} pages, {} epochs, seed {}", encoded.len(), options.epochs, options.seed);
    let _ = writeln!(out, "labels {}", LABELS.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(" "));
    for from in 0..=L {
        for to in 0..=L {
            let w = avg(a.tw[from][to], a.tu[from][to]);
            if w.abs() >= 0.0005 {
                let _ = writeln!(out, "trans {} {} {:.3}", name_of(from), name_of(to), w);
            }
        }
    }
    let mut rows: Vec<(&str, String)> = Vec::new();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    for (f, name) in names.iter().enumerate() {
        let mut row = String::new();
        for (k, label) in LABELS.iter().enumerate() {
            let w = avg(a.w[f][k], a.u[f][k]);
            if w.abs() >= 0.0005 {
                if !row.is_empty() {
                    row.push(' ');
                }
                let _ = write!(row, "{}={:.3}", label.as_str(), w);
            }
        }
        if !row.is_empty() {
            rows.push((name, row));
        }
    }
    rows.sort();
    for (name, row) in rows {
        let _ = writeln!(out, "feat {name}\t{row}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_model_parses_and_has_weights() {
        let model =
            Model::parse(include_str!("../../../config/split-model.txt")).expect("config/split-model.txt parses");
        assert!(!model.is_empty());
    }

    #[test]
    fn a_model_file_with_a_bad_line_names_it() {
        let err = Model::parse("labels furniture\n").expect_err("wrong labels");
        assert_eq!(err.line, 1);
        let err = Model::parse("# ok\nfeat x\theadline=abc\n").expect_err("bad weight");
        assert_eq!((err.line, err.message.as_str()), (2, "bad weight \"abc\""));
    }

    #[test]
    fn constraints_keep_a_kicker_before_its_headline() {
        assert!(allowed(Some(Class::Kicker), Some(Class::Headline)));
        assert!(!allowed(Some(Class::Kicker), Some(Class::Body)));
        assert!(!allowed(Some(Class::Body), Some(Class::Subtitle)));
        assert!(!allowed(None, Some(Class::Body)));
        assert!(!allowed(Some(Class::Series), None));
    }

    #[test]
    fn articles_start_at_the_first_header_line() {
        assert!(starts_article(Some(Class::Body), Class::Kicker));
        assert!(!starts_article(Some(Class::Kicker), Class::Headline));
        assert!(!starts_article(Some(Class::Headline), Class::Headline));
        assert!(starts_article(None, Class::Headline));
    }

    #[test]
    fn a_model_round_trips_through_its_file() {
        let f = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let examples = vec![Example {
            features: vec![f(&["short", "first"]), f(&["long"]), f(&["long"])],
            joined: vec![true, true, true],
            labels: vec![Class::Headline, Class::Body, Class::Body],
        }];
        let text = train(&examples, TrainOptions { epochs: 3, seed: 7 });
        let model = Model::parse(&text).expect("parses");
        let hashes: Vec<Vec<u64>> = examples[0]
            .features
            .iter()
            .map(|line| line.iter().map(|f| crate::features::feature_hash(f)).collect())
            .collect();
        assert_eq!(model.decode(&hashes, &examples[0].joined, &[false; 3]), examples[0].labels);
        assert_eq!(text, train(&examples, TrainOptions { epochs: 3, seed: 7 }));
    }
}
