//! The input lines of a page and what can be told about each one on its own: markdown level,
//! the blank lines before it, its block, its length, its punctuation, whether it is a credit, a
//! byline, a furniture word.
//!
//! Nothing here looks at a line's neighbours except to count blank lines; the decisions that
//! need context are in `layout`. Every measure is bounded or linear, so a 50 MB line costs one
//! pass.

use crate::lexicon::{Lexicon, compact, is_han, strip_brackets};

/// Longer lines are never headings, captions, bylines or credits; measuring stops there.
pub const SHORT_LIMIT: usize = 120;

/// One non-blank input line.
#[derive(Debug, Clone)]
pub struct Line {
    /// 1-based line number in the decoded text.
    pub no: usize,
    /// The line as printed: trailing whitespace removed, a paragraph indent (U+3000 or two or
    /// more spaces) kept as two U+3000, other leading whitespace and whole-line emphasis marks
    /// removed.
    pub raw: String,
    /// The text without markdown heading or whole-line emphasis marks and without surrounding
    /// whitespace.
    pub text: String,
    /// With letter-spacing between Han characters removed (for measuring and matching only).
    pub norm: String,
    /// `#` count of a markdown heading.
    pub md: Option<usize>,
    /// Blank lines between this line and the previous non-blank one (page start counts as 0).
    pub gap: usize,
    /// Index of the block (a run of lines without blank lines between them).
    pub block: usize,
    /// Number of lines in this line's block.
    pub block_len: usize,
    /// Characters of `norm` without whitespace, counted up to `SHORT_LIMIT + 1`.
    pub len: usize,
    /// Whether the line starts with a paragraph indent.
    pub indent: bool,
    /// Whether the whole line is set in bold markup (`**本报记者 张三**`); `raw`, `text` and
    /// `norm` are without the marks.
    pub bold: bool,
}

impl Line {
    /// Whether the line ends a sentence (closing quotes and brackets looked through).
    pub fn ends_sentence(&self) -> bool {
        ends_sentence(&self.norm)
    }

    /// Whether the line is short.
    pub fn is_short(&self, limit: usize) -> bool {
        self.len <= limit
    }
}

/// Splits decoded text into non-blank lines with their measures.
pub fn parse(text: &str) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let mut gap = 0;
    let mut block = 0;
    let mut previous_blank = true;
    for (index, raw_line) in text.split('\n').enumerate() {
        let trimmed_end = raw_line.trim_end();
        if trimmed_end.trim_start().is_empty() {
            gap += 1;
            previous_blank = true;
            continue;
        }
        if previous_blank && !lines.is_empty() {
            block += 1;
        }
        let body = trimmed_end.trim_start();
        let leading = &trimmed_end[..trimmed_end.len() - body.len()];
        let indent = leading.contains('\u{3000}') || leading.chars().filter(|c| *c == ' ').count() >= 2;
        let (md, text) = markdown(body);
        // Emphasis marks around a whole line are markup like `#`, not text.
        let (bold, text) = strip_emphasis(text);
        let norm = remove_letter_spacing(text);
        let len = norm.chars().filter(|c| !c.is_whitespace()).take(SHORT_LIMIT + 1).count();
        let printed = if bold { text } else { body };
        let raw = if indent { format!("\u{3000}\u{3000}{printed}") } else { printed.to_owned() };
        lines.push(Line {
            no: index + 1,
            raw,
            text: text.to_owned(),
            norm,
            md,
            gap: if lines.is_empty() { 0 } else { gap },
            block,
            block_len: 0,
            len,
            indent,
            bold,
        });
        gap = 0;
        previous_blank = false;
    }
    separate_header_lines(&mut lines);
    let mut start = 0;
    while start < lines.len() {
        let end = lines[start..].iter().position(|l| l.block != lines[start].block).map_or(lines.len(), |p| start + p);
        for line in &mut lines[start..end] {
            line.block_len = end - start;
        }
        start = end;
    }
    lines
}

/// Text extracted from a PDF often has no blank lines: the headline, the kicker and the byline
/// stand on lines of their own right above the first indented paragraph, in the same block. In
/// a block whose paragraphs are indented, the unindented lines before the first indent are
/// therefore blocks of their own (one line each), as if blank lines stood between them. Blocks
/// are renumbered in order; other blocks keep their lines together.
fn separate_header_lines(lines: &mut [Line]) {
    let mut next_block = 0;
    let mut start = 0;
    while start < lines.len() {
        let block = lines[start].block;
        let end = lines[start..].iter().position(|l| l.block != block).map_or(lines.len(), |p| start + p);
        let first_indent = lines[start..end].iter().position(|l| l.indent).map(|p| start + p);
        match first_indent {
            Some(indent) if indent > start => {
                for line in &mut lines[start..indent] {
                    line.block = next_block;
                    next_block += 1;
                }
                for line in &mut lines[indent..end] {
                    line.block = next_block;
                }
            }
            _ => {
                for line in &mut lines[start..end] {
                    line.block = next_block;
                }
            }
        }
        next_block += 1;
        start = end;
    }
}

/// A line wholly in markdown emphasis (`**…**`, `__…__`) without the marks, and whether it was.
fn strip_emphasis(text: &str) -> (bool, &str) {
    for mark in ["**", "__"] {
        if let Some(inner) = text.strip_prefix(mark).and_then(|t| t.strip_suffix(mark))
            && !inner.trim().is_empty()
            && !inner.contains(mark)
        {
            return (true, inner.trim());
        }
    }
    (false, text)
}

/// Whether a line opens with a section number: `一、`, `（一）`, `(1)`, `1.`, `1、`, `第一，`.
pub fn is_numbered(text: &str) -> bool {
    let text = text.trim_start();
    let numeral = |c: char| c.is_ascii_digit() || "一二三四五六七八九十".contains(c);
    let after_numerals = |t: &str| t.trim_start_matches(numeral).len() < t.len();
    if let Some(rest) = text.strip_prefix(['（', '(']) {
        let inner = rest.trim_start_matches(numeral);
        return inner.len() < rest.len() && inner.starts_with(['）', ')']);
    }
    if let Some(rest) = text.strip_prefix('第') {
        let inner = rest.trim_start_matches(numeral);
        return inner.len() < rest.len() && inner.starts_with(['，', '、', '是']);
    }
    let inner = text.trim_start_matches(numeral);
    after_numerals(text)
        && (inner.starts_with(['、', '．'])
            || inner.starts_with('.') && !inner[1..].starts_with(|c: char| c.is_ascii_digit()))
}

/// A markdown heading's level and text: `## 标题` → (2, `标题`). `#` without a following space
/// or text is not a heading mark (`#1` is text).
fn markdown(line: &str) -> (Option<usize>, &str) {
    let hashes = line.chars().take_while(|c| *c == '#').count();
    if hashes == 0 || hashes > 6 {
        return (None, line);
    }
    let rest = &line[hashes..];
    if rest.starts_with([' ', '\t', '\u{3000}']) && !rest.trim().is_empty() {
        (Some(hashes), rest.trim())
    } else {
        (None, line)
    }
}

/// Characters that close a sentence.
pub fn is_final(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '!' | '?' | '…' | '；' | ';')
}

/// Closing quotes and brackets, looked through when asking how a text ends.
pub fn is_closer(c: char) -> bool {
    matches!(c, '”' | '’' | '」' | '』' | '）' | ')' | '》' | '〉' | '】' | '"' | '\'')
}

/// Punctuation of any kind (for telling a logo or a name line from a phrase).
pub fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation() && !matches!(c, '+' | '-' | '&' | '.' | '/')
        || matches!(c as u32, 0x3001..=0x3003 | 0x3008..=0x3011 | 0x3014..=0x301F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0x2014..=0x201F | 0x2026 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65)
}

/// Whether `text` ends a sentence.
pub fn ends_sentence(text: &str) -> bool {
    text.trim_end().trim_end_matches(is_closer).chars().next_back().is_some_and(is_final)
}

/// Whether the quotation marks of `text` pair up.
pub fn quotes_balanced(text: &str) -> bool {
    let (mut open, mut close) = (0i32, 0i32);
    for c in text.chars() {
        match c {
            '“' | '「' | '『' => open += 1,
            '”' | '」' | '』' => close += 1,
            _ => {}
        }
    }
    open == close
}

pub use model::text::{is_wide, remove_letter_spacing};

/// A parsed byline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Byline {
    pub authors: Vec<String>,
    /// Printed with a byline mark or a role word (`■`, `记者`): a byline wherever it stands.
    pub strong: bool,
    /// A role phrase then a name (`某某研究院副院长、研究员 张三`).
    pub titled: bool,
}

/// A byline token without the marks around it (`记者：`, `/张三`).
fn trim_token(raw: &str) -> &str {
    raw.trim_matches(|c: char| matches!(c, '：' | ':' | '/' | '／' | '|' | '｜'))
}

/// Reads a line as a byline: an optional mark, role words, names separated by spaces or `、`
/// (a two-character name printed with a space inside, `张 振`, is one name), or a role phrase
/// ending in a title word followed by one name.
pub fn parse_byline(line: &Line, lexicon: &Lexicon) -> Option<Byline> {
    if line.len > 60 || line.norm.chars().any(|c| matches!(c, '。' | '！' | '？' | '；' | '，')) {
        return None;
    }
    let printed = line.norm.trim();
    // A byline in brackets (`（记者 张三）`, printed at an article's end) needs a role word.
    let bracketed = strip_brackets(printed).len() != printed.len();
    let mut text = strip_brackets(printed);
    let mut strong = false;
    for marker in &lexicon.markers {
        if let Some(rest) = text.strip_prefix(marker.as_str()) {
            text = rest.trim_start();
            strong = true;
            break;
        }
    }
    let separator = |c: char| c.is_whitespace() || matches!(c, '、' | '，' | ',' | '；');
    // One token too long for a name and opening with no role word can be no byline (most
    // wrapped lines of running text): decided before any allocation.
    if !text.contains(separator) {
        let token = trim_token(text);
        if token.chars().nth(4).is_some() && !lexicon.roles.iter().any(|r| token.starts_with(r.as_str())) {
            return None;
        }
    }
    let mut tokens: Vec<String> = Vec::new();
    let mut role_seen = false;
    for raw in text.split(separator) {
        let mut token = trim_token(raw);
        if token.is_empty() {
            continue;
        }
        // Role words stand alone (`记者 张三`) or glued to the first name (`记者张三`).
        while let Some(role) = lexicon.roles.iter().find(|r| token.starts_with(r.as_str())) {
            let rest = token[role.len()..].trim_start_matches(['：', ':', '/', '／', '|', '｜']);
            let role_only =
                rest.is_empty() || lexicon.is_name(rest) || lexicon.roles.iter().any(|r| rest.starts_with(r.as_str()));
            if !role_only {
                break;
            }
            role_seen = true;
            token = rest;
        }
        if !token.is_empty() {
            tokens.push(token.to_owned());
        }
    }
    // `张 振` → `张振`: a lone surname followed by a lone character.
    let mut names: Vec<String> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        if token.chars().count() == 1
            && lexicon.is_surname(token)
            && tokens.get(i + 1).is_some_and(|t| t.chars().count() == 1 && t.chars().all(is_han))
        {
            names.push(format!("{token}{}", tokens[i + 1]));
            i += 2;
        } else {
            names.push(token.clone());
            i += 1;
        }
    }
    // After a role word (`记者 占小明`) a two- or three-character Han token is a name even when its
    // surname is missing from the list; without one the list must know it.
    let name_after_role = |n: &String| {
        role_seen && (2..=3).contains(&n.chars().count()) && n.chars().all(is_han) && !lexicon.is_column(n)
    };
    if names.iter().all(|n| lexicon.is_name(n) || name_after_role(n)) {
        if names.is_empty() && !strong || bracketed && !role_seen {
            return None;
        }
        if names.len() > 8 {
            return None;
        }
        return Some(Byline { authors: names, strong: strong || role_seen, titled: false });
    }
    // A role phrase ending in a title word, then one name.
    if bracketed {
        return None;
    }
    let last = names.last()?;
    if names.len() >= 2 && lexicon.is_name(last) {
        let role = names[..names.len() - 1].concat();
        if lexicon.titles.iter().any(|t| role.ends_with(t.as_str())) && !role.chars().any(is_punctuation_but_list) {
            return Some(Byline { authors: vec![last.clone()], strong, titled: true });
        }
    }
    None
}

/// A bracketed byline printed at the end of a paragraph (`…市民周先生说。（记者 刘洋）`): the byte
/// offset where the bracket opens, and the byline. The text before it must end a sentence, and
/// the bracket must read as a byline with a role word.
pub fn trailing_byline(text: &str, lexicon: &Lexicon) -> Option<(usize, Byline)> {
    let trimmed = text.trim_end();
    let close = trimmed.chars().next_back().filter(|c| matches!(c, '）' | ')'))?;
    let open = if close == '）' { '（' } else { '(' };
    // Bylines are short: look at the last few dozen characters only.
    let tail_start = trimmed.char_indices().rev().nth(60).map_or(0, |(at, _)| at);
    let at = tail_start + trimmed[tail_start..].rfind(open)?;
    if !ends_sentence(&trimmed[..at]) {
        return None;
    }
    let byline = parse(&trimmed[at..]).pop()?;
    parse_byline(&byline, lexicon).filter(|b| b.strong && !b.authors.is_empty()).map(|b| (at, b))
}

/// A bracketed byline printed at the start of a paragraph, after an optional dateline word
/// (`本报讯（记者 张三 通讯员 李四）近日，…`): the byte offset where the text after it starts,
/// and the byline.
pub fn leading_byline(text: &str, lexicon: &Lexicon) -> Option<(usize, Byline)> {
    let head_end = text.char_indices().nth(60).map_or(text.len(), |(at, _)| at);
    let head = &text[..head_end];
    let open = head.find(['（', '('])?;
    let dateline = head[..open].trim();
    if !dateline.is_empty() && !lexicon.is_dateline(dateline) {
        return None;
    }
    let close = open + head[open..].find(['）', ')'])?;
    let end = close + head[close..].chars().next().map_or(0, char::len_utf8);
    if text[end..].trim().is_empty() {
        return None;
    }
    let byline = parse(&text[open..end]).pop()?;
    parse_byline(&byline, lexicon).filter(|b| b.strong && !b.authors.is_empty()).map(|b| (end, b))
}

fn is_punctuation_but_list(c: char) -> bool {
    is_punctuation(c) && !matches!(c, '、' | '·')
}

/// A caption line with a credit printed at its end: `说明文字 图片由某某提供`,
/// `钱江新城 胡鉴 摄`, `说明文字（张三 摄）`. Returns (caption, credit as printed).
pub fn split_caption_credit(text: &str, lexicon: &Lexicon) -> Option<(String, String)> {
    if text.chars().take(SHORT_LIMIT + 1).count() > SHORT_LIMIT {
        return None;
    }
    // A bracketed credit at the end.
    for (open, close) in [('（', '）'), ('(', ')'), ('【', '】')] {
        if let Some(inner_end) = text.strip_suffix(close)
            && let Some(start) = inner_end.rfind(open)
        {
            let caption = text[..start].trim();
            let credit = &text[start..];
            if !caption.is_empty() && lexicon.is_credit(strip_brackets(credit)) {
                return Some((caption.to_owned(), credit.to_owned()));
            }
        }
    }
    // A credit after a space: the shortest credit that fits, so `钱江新城 胡鉴 摄` keeps the
    // place name in the caption.
    let spaces = text.char_indices().rev().filter(|(_, c)| c.is_whitespace()).map(|(i, _)| i);
    for at in spaces {
        let caption = text[..at].trim();
        let credit = text[at..].trim();
        // A credit holds no sentence mark; every longer candidate holds this one's.
        if credit.contains(['。', '，', '；', '！', '？']) {
            break;
        }
        if !caption.is_empty() && !credit.is_empty() && lexicon.is_credit(credit) {
            // `张三 李四 摄` is a credit line of its own, not a caption: the caption part must
            // not be names only.
            let caption_is_names =
                caption.split_whitespace().all(|t| lexicon.is_name(t) || lexicon.roles.iter().any(|r| r == t));
            if caption_is_names {
                return None;
            }
            // `说明 新华社记者 张三 摄`: the role word before the name belongs to the credit.
            if let Some(role_at) = caption.rfind(char::is_whitespace)
                && lexicon.roles.iter().any(|r| r == caption[role_at..].trim())
                && !caption[..role_at].trim().is_empty()
            {
                let lead = at - text[..at].trim_start().len();
                let credit_at = lead + role_at;
                return Some((caption[..role_at].trim().to_owned(), text[credit_at..].trim().to_owned()));
            }
            return Some((caption.to_owned(), credit.to_owned()));
        }
    }
    None
}

/// Whether `line` could be a heading, headline, kicker, series or short caption by its shape:
/// one line of its block, short, not ending a clause (a question or exclamation mark may end a
/// short headline), at most one sentence and one comma, quotes paired, not ending in a word that
/// leaves the sentence hanging (`split-fragment-endings.txt`).
pub fn is_headingish(line: &Line, lexicon: &Lexicon) -> bool {
    if line.block_len != 1 && line.md.is_none() || line.len > 40 || line.len == 0 {
        return false;
    }
    let body = line.norm.trim_end().trim_end_matches(is_closer);
    let Some(last) = body.chars().next_back() else { return false };
    if matches!(last, '。' | '；' | '，' | '、' | '：' | ';' | ',' | ':') {
        return false;
    }
    if matches!(last, '？' | '！' | '?' | '!') && line.len > 30 {
        return false;
    }
    if line.md.is_none() && body == line.norm.trim_end() && lexicon.is_fragment_ending(last) {
        return false;
    }
    let inner: &str = &body[..body.len() - last.len_utf8()];
    if inner.chars().any(|c| matches!(c, '。' | '；' | ';')) || inner.matches('，').count() > 1 {
        return false;
    }
    quotes_balanced(&line.norm)
}

/// Whether a headingish line could be a section heading inside an article: no comma and no
/// sentence mark inside (a body fragment cut at a column break usually has both).
pub fn is_section_heading_shape(line: &Line) -> bool {
    // A quotation ending in its own sentence mark (`“我们一定能做到！”`) is someone speaking.
    let trimmed = line.norm.trim();
    if trimmed.starts_with(['“', '「']) && trimmed.ends_with(['”', '」']) && ends_sentence(trimmed) {
        return false;
    }
    let body = line.norm.trim_end().trim_end_matches(is_closer);
    let inner = body.trim_end_matches(['？', '！', '?', '!']);
    !inner.chars().any(|c| matches!(c, '，' | ',' | '？' | '！' | '?' | '!')) && !inner.contains("——")
}

/// Whether every line of a block is a few characters without punctuation: a column logo or
/// banner printed over several lines (`杭州2万亿` / `攀峰记`).
pub fn is_logo_block(lines: &[Line]) -> bool {
    lines.len() >= 2 && lines.iter().all(|l| l.md.is_none() && l.len <= 8 && !l.norm.chars().any(is_punctuation))
}

/// The text of `line` without whitespace, for matching.
pub fn compact_text(line: &Line) -> String {
    compact(&line.norm)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> Line {
        parse(text).remove(0)
    }

    #[test]
    fn bylines_in_their_printed_forms() {
        let lexicon = Lexicon::builtin();
        let authors = |text: &str| parse_byline(&line(text), &lexicon).map(|b| (b.authors, b.strong, b.titled));
        assert_eq!(
            authors("■ 丁珊 吕诗蒙 唐宁"),
            Some((vec!["丁珊".into(), "吕诗蒙".into(), "唐宁".into()], true, false))
        );
        assert_eq!(authors("邵天懿 张 振"), Some((vec!["邵天懿".into(), "张振".into()], false, false)));
        assert_eq!(authors("□记者 王五 通讯员 赵六"), Some((vec!["王五".into(), "赵六".into()], true, false)));
        assert_eq!(authors("本报记者 李四"), Some((vec!["李四".into()], true, false)));
        assert_eq!(authors("某某研究院副院长、研究员 潘明"), Some((vec!["潘明".into()], false, true)));
        assert_eq!(authors("营商环境"), None);
        assert_eq!(authors("深化改革 强基固本"), None);
        assert_eq!(authors("两新融合 把牢用好科技创新的 关键变量"), None);
    }

    #[test]
    fn bylines_in_brackets_and_with_trailing_words() {
        let lexicon = Lexicon::builtin();
        let authors = |text: &str| parse_byline(&line(text), &lexicon).map(|b| b.authors);
        assert_eq!(authors("（记者 刘洋 通讯员 黄涛）"), Some(vec!["刘洋".into(), "黄涛".into()]));
        assert_eq!(authors("记者 钱晓东 报道"), Some(vec!["钱晓东".into()]));
        // A surname missing from the list is still a name after a role word.
        assert_eq!(authors("记者 占小明"), Some(vec!["占小明".into()]));
        assert_eq!(authors("占小明 栗子"), None);
        assert_eq!(authors("文 | 张三"), Some(vec!["张三".into()]));
        assert_eq!(authors("作者：李四"), Some(vec!["李四".into()]));
        // Names in brackets without a role word are a remark, not a byline.
        assert_eq!(authors("（张三 李四）"), None);
        assert_eq!(authors("（一）"), None);
    }

    #[test]
    fn bylines_printed_inside_a_paragraph() {
        let lexicon = Lexicon::builtin();
        let text = "“下班后过来看病正合适。”市民周先生说。（记者 刘洋）";
        let (at, byline) = trailing_byline(text, &lexicon).expect("trailing byline");
        assert_eq!((&text[at..], byline.authors), ("（记者 刘洋）", vec!["刘洋".to_owned()]));
        // Brackets after an unfinished sentence are part of it.
        assert_eq!(trailing_byline("据市民周先生（记者 刘洋）", &lexicon).map(|(at, _)| at), None);
        let text = "本报讯（记者 龚小川 通讯员 曹敏）10月12日晚，联赛开幕。";
        let (at, byline) = leading_byline(text, &lexicon).expect("leading byline");
        assert_eq!((&text[at..], byline.authors.len()), ("10月12日晚，联赛开幕。", 2));
        assert!(leading_byline("新华社杭州3月1日电（记者 张三）全省春耕全面展开。", &lexicon).is_some());
        assert_eq!(leading_byline("据了解（记者 张三）全省春耕全面展开。", &lexicon), None);
    }

    #[test]
    fn unindented_lines_above_indented_paragraphs_are_blocks_of_their_own() {
        let lines = parse("标 题 在 这 里\n记者 张三\n　　第一段开头，\n接着写完。\n　　第二段。");
        let shape: Vec<_> = lines.iter().map(|l| (l.block, l.block_len)).collect();
        assert_eq!(shape, vec![(0, 1), (1, 1), (2, 3), (2, 3), (2, 3)]);
    }

    #[test]
    fn captions_with_credits_split_at_the_credit() {
        let lexicon = Lexicon::builtin();
        assert_eq!(
            split_caption_credit("大楼落地路沿线 图片由某某街道提供", &lexicon),
            Some(("大楼落地路沿线".into(), "图片由某某街道提供".into()))
        );
        assert_eq!(split_caption_credit("钱江新城 胡鉴 摄", &lexicon), Some(("钱江新城".into(), "胡鉴 摄".into())));
        assert_eq!(split_caption_credit("夜景（张三 摄）", &lexicon), Some(("夜景".into(), "（张三 摄）".into())));
        assert_eq!(split_caption_credit("张三 李四 摄", &lexicon), None);
        assert_eq!(
            split_caption_credit("游客体验扎染技艺 新华社记者 林晓东 摄", &lexicon),
            Some(("游客体验扎染技艺".into(), "新华社记者 林晓东 摄".into()))
        );
    }

    #[test]
    fn blocks_gaps_and_markdown() {
        let lines = parse("# 标题\n\n\n第一行\n第二行\n\n　　缩进");
        let shape: Vec<_> = lines.iter().map(|l| (l.no, l.md, l.gap, l.block, l.block_len, l.indent)).collect();
        assert_eq!(
            shape,
            vec![
                (1, Some(1), 0, 0, 1, false),
                (4, None, 2, 1, 2, false),
                (5, None, 0, 1, 2, false),
                (7, None, 1, 2, 1, true)
            ]
        );
    }
}
