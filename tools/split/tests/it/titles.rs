//! Furniture never becomes a title: page-editor lines, hotlines, URLs, dated weekday lines and
//! photo credits placed where a headline could stand are never a series, kicker, headline or
//! subtitle, on an invented page and on every fixture page.

use crate::support::{fixtures, splitter};

fn titles(page: &model::Page) -> Vec<String> {
    page.articles
        .iter()
        .flat_map(|a| [a.series.clone(), a.kicker.clone(), Some(a.headline.clone()), a.subtitle.clone()])
        .flatten()
        .filter(|t| !t.is_empty())
        .collect()
}

#[test]
fn furniture_lines_where_headlines_stand_are_never_titles() {
    let text = "新闻热线：0571-88888888\n\n2026年3月1日 星期日\n\n虚构小城新建三座公园\n\n本报记者 王小明\n\n\
                今年以来，虚构小城新建公园三座，市民出门见绿。\n\n本版责编：李小红\n\n\
                http://www.example.com.cn\n\n王小明 摄\n\n虚构小城图书馆延长开放\n\n\
                图书馆自本月起每晚开放到九点。\n\n2026年3月2日\n\n三版责编：赵小刚  四版责编：钱小丽\n\n\
                虚构小城博物馆免费开放\n\n博物馆即日起免费开放，每周一闭馆。\n";
    let page = split::split_page("p", "p.txt", text.as_bytes(), splitter()).expect("splits");
    let titles = titles(&page);
    for furniture in ["热线", "星期", "责编", "http", "摄", "2026年3月2日"] {
        assert!(titles.iter().all(|t| !t.contains(furniture)), "{furniture} in a title: {titles:?}");
    }
    assert!(titles.iter().any(|t| t == "虚构小城新建三座公园"), "{titles:?}");
    assert!(titles.iter().any(|t| t == "虚构小城博物馆免费开放"), "{titles:?}");
}

/// A title line with no text, caption or section under it (an advertisement's slogan closing
/// the page) is page furniture, not an article; its characters stay on the page.
#[test]
fn a_title_with_nothing_under_it_is_no_article() {
    let text = "虚构小城新建三座公园\n\n本报记者 王小明\n\n今年以来，虚构小城新建公园三座，市民出门见绿。\n\n\
                公园管理处表示，明年还将再建两座。\n\n虚构牌果汁  鲜榨每一天\n";
    let page = split::split_page("p", "p.txt", text.as_bytes(), splitter()).expect("splits");
    assert_eq!(page.articles.len(), 1, "{:?}", titles(&page));
    assert!(page.articles.iter().all(|a| !a.sections.is_empty()), "an article without text");
    let kept: String = page.furniture.concat();
    let last: String = page.articles[0].sections.iter().flat_map(|s| s.paragraphs.clone()).collect();
    assert!(kept.contains("虚构牌果汁") || last.contains("虚构牌果汁"), "the slogan is lost");
}

#[test]
fn no_fixture_page_has_a_never_title_line_as_a_title() {
    let lexicon = split::Lexicon::builtin();
    let dir = fixtures().join("ok");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "expect") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("readable");
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let Ok(page) = split::split_page("p", &name, &bytes, splitter()) else { continue };
        for title in titles(&page) {
            for line in split::lines::parse(&title) {
                assert!(!split::features::never_title(&line, &lexicon), "{name}: `{}` is a title", line.text);
            }
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fixture pages");
}

/// The editors of facing pages printed on one line, names spaced out, right under an
/// article's last paragraph: page furniture, never the article's text.
#[test]
fn an_editors_line_under_the_last_paragraph_is_page_furniture() {
    let text = "虚构小城新建三座公园\n\n本报记者 王小明\n\n今年以来，虚构小城新建公园三座，市民出门见绿。\n\n\
                公园管理处表示，明年还将再建两座。\n\n\
                一版责编：李  红  赵小刚  二版责编：钱小丽  孙  强  三版责编：周  敏  吴小军  四版责编：郑  伟\n";
    let page = split::split_page("p", "p.txt", text.as_bytes(), splitter()).expect("splits");
    assert_eq!(page.articles.len(), 1, "{:?}", titles(&page));
    let body: String = page.articles[0].sections.iter().flat_map(|s| s.paragraphs.clone()).collect();
    assert!(!body.contains("责编"), "the editors' line is in the article: {body}");
    assert!(page.furniture.iter().any(|f| f.contains("四版责编")), "{:?}", page.furniture);
}
