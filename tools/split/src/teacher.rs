//! The roles of lines inside an article's paragraphs, for training data.
//!
//! A structured corpus gives article boundaries and header roles (kicker, headline, subtitle)
//! but keeps bylines, datelines, section headings, captions and credits inside `paragraphs`.
//! These generic rules name those roles so rendered training pages carry a label for every line
//! (`cargo xtask gen-corpus`, `cargo xtask train-split`). They run only at training time: the
//! splitter itself decides every line with the learned model, for which the same patterns are
//! features (`features`).

use crate::layout::Class;
use crate::lexicon::Lexicon;
use crate::lines::{self, leading_byline, parse_byline, split_caption_credit, trailing_byline};

/// The role of one paragraph of an article body: `first`/`last` say where it stands.
pub fn paragraph_class(paragraph: &str, first: bool, last: bool, lexicon: &Lexicon) -> Class {
    let parsed = lines::parse(paragraph);
    let Some(line) = parsed.first() else { return Class::Body };
    let len = line.len;
    // Furniture words inside an article's paragraphs (`版式设计：…`, `制图：…`, `数据来源：…`)
    // belong to that article, as the corpus keeps them: they are body, not page furniture.
    if len <= 40 && lexicon.is_furniture(&line.norm) {
        return Class::Body;
    }
    if len <= 60 && lexicon.is_credit(&line.norm) {
        return Class::Credit;
    }
    if len <= 80 && split_caption_credit(&line.text, lexicon).is_some() {
        return Class::CaptionCredit;
    }
    if len <= 30 && parse_byline(line, lexicon).is_some() {
        // A bracketed byline standing as a paragraph (`（本报记者 张三）`) is printed as part of
        // the text; a bare one (`本报记者 张三`) is the article's byline.
        return if line.norm.starts_with(['（', '(']) { Class::BodyByline } else { Class::Byline };
    }
    if let Some(class) = line_class(paragraph, lexicon) {
        return class;
    }
    if line.norm.starts_with("图为") && len <= 160 {
        return Class::Caption;
    }
    let heading = !first
        && !last
        && len <= 30
        && !line.ends_sentence()
        && !line.norm.ends_with(['，', ',', '、', '：', ':'])
        // `…的基础和关键——` leads into the next paragraph: it is no heading.
        && !line.norm.ends_with("——")
        && !line.norm.starts_with("——");
    if heading {
        return Class::Heading;
    }
    Class::Body
}

/// A body line with a bracketed byline at its start or end (`本报讯（记者 张三）…`,
/// `…他说。（记者 张三）`): `BodyByline`, else `None`.
pub fn line_class(line: &str, lexicon: &Lexicon) -> Option<Class> {
    let printed = line.trim_start();
    (trailing_byline(printed, lexicon).is_some() || leading_byline(printed, lexicon).is_some())
        .then_some(Class::BodyByline)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_of_invented_paragraphs() {
        let lexicon = Lexicon::builtin();
        let class = |p: &str, first: bool| paragraph_class(p, first, false, &lexicon);
        assert_eq!(class("这是一段虚构的正文，写得完整。", false), Class::Body);
        assert_eq!(class("山区小镇的新变化", false), Class::Heading);
        assert_eq!(class("山区小镇的新变化", true), Class::Body);
        assert_eq!(class("发展，是一切的关键——", false), Class::Body);
        assert_eq!(class("版式设计：王小明", false), Class::Body);
        assert_eq!(class("（本报记者 王小明）", false), Class::BodyByline);
        assert_eq!(class("本报记者 王小明", false), Class::Byline);
        assert_eq!(class("图为虚构的村民在田间劳作。", false), Class::Caption);
    }
}
