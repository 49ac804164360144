//! End-to-end tests of the `extract` binary: the `figures --text` subcommand and the batch mode
//! over a wire artifact in a temporary folder. Unit behaviour is tested next to the code.

use std::process::Command;

use model::{Article, Page, Section};

mod figures;
mod people;
mod places;
mod props;

fn extract() -> Command {
    Command::new(env!("CARGO_BIN_EXE_extract"))
}

#[test]
fn figures_subcommand_prints_a_json_array() {
    let output = extract().args(["figures", "--text", "销售额超2.6亿元"]).output().expect("running extract");
    assert!(output.status.success());
    let figures: Vec<model::Figure> = serde_json::from_slice(&output.stdout).expect("a JSON array of figures");
    let summary: Vec<(String, f64, String, Option<String>)> =
        figures.into_iter().map(|f| (f.text, f.value, f.unit, f.subject)).collect();
    expect_test::expect![[r#"
        [
            (
                "超2.6亿元",
                260000000.0,
                "元",
                Some(
                    "销售额",
                ),
            ),
        ]
    "#]]
    .assert_debug_eq(&summary);
}

#[test]
fn batch_mode_fills_every_article_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let page = Page {
        id: "p1".into(),
        articles: vec![Article {
            id: "p1-1".into(),
            headline: "街区服务升级".into(),
            authors: vec!["王小明".into()],
            sections: vec![Section {
                heading: None,
                paragraphs: vec![
                    "2024年，街区家电销售额达12.8亿元。社区党委书记陈建华说：“我们把服务送上门，企业很满意。”".into(),
                    "“服务站办事只要半小时。”街道相关负责人介绍。".into(),
                ],
            }],
            ..Article::default()
        }],
        ..Page::default()
    };
    let input = dir.path().join("p1.json");
    std::fs::write(&input, model::wire::encode("clean", &page)).expect("writing input");
    let out = dir.path().join("out");
    let status = extract().arg("-o").arg(&out).arg(&input).status().expect("running extract");
    assert!(status.success());
    let page = model::io::read_page(&out.join("p1.json")).expect("reading output");
    let article = &page.articles[0];
    let figures: Vec<String> =
        article.figures.iter().map(|f| format!("{} {:?} {:?}", f.text, f.subject, f.period)).collect();
    let quotes: Vec<String> = article.quotes.iter().map(|q| format!("{:?} {:?}", q.speaker, q.role)).collect();
    let people: Vec<String> = article.people.iter().map(|p| format!("{} {:?}", p.name, p.role)).collect();
    expect_test::expect![[r#"
        (
            [
                "12.8亿元 Some(\"街区家电销售额\") Some(\"2024年\")",
                "半小时 Some(\"服务站办事\") None",
            ],
            [
                "Some(\"陈建华\") Some(\"社区党委书记\")",
                "Some(\"街道相关负责人\") None",
            ],
            [
                "陈建华 Some(\"社区党委书记\")",
            ],
        )
    "#]]
    .assert_debug_eq(&(figures, quotes, people));
    assert!(!article.keywords.is_empty());
}
