//! Every figure form news prints, one invented sentence each, through the public parser
//! (`figures::figures_in_paragraph`): value, value_max, unit, approx and subject are asserted for
//! each; the forms that are not figures (dates, ordinals, codes, index and plan names, idioms)
//! must come out empty. Periods as dates are checked through `periods::resolve` and the
//! `period` subcommand.

use std::process::Command;

use extract::Lexicon;
use extract::figures::{date_periods, figures_in_paragraph};
use extract::periods::{parse_iso, resolve};

/// Renders each figure of `input` as `text = value[..max] unit [approx] | subject`, one a line.
fn check(input: &str, expect: expect_test::Expect) {
    let lexicon = Lexicon::builtin();
    let lines: Vec<String> = figures_in_paragraph(input, 0, 0, &lexicon)
        .iter()
        .map(|f| {
            let approx = f.approx.map_or(String::new(), |a| format!(" {a:?}").to_lowercase());
            let max = f.value_max.map_or(String::new(), |m| format!("..{m}"));
            let unit = if f.unit.is_empty() { "\"\"" } else { &f.unit };
            format!("{} = {}{max} {unit}{approx} | {}", f.text, f.value, f.subject.as_deref().unwrap_or("-"))
        })
        .collect();
    expect.assert_eq(&lines.join("\n"));
}

#[test]
fn thousands_separators_negatives_and_spaces() {
    check("公司持有2,928,502股。", expect_test::expect!["2,928,502股 = 2928502 股 | 公司"]);
    check("账户余额82,225.00元。", expect_test::expect!["82,225.00元 = 82225 元 | 账户余额"]);
    check("合同金额82，225.00元。", expect_test::expect!["82，225.00元 = 82225 元 | 合同金额"]);
    check(
        "当季净利润-2.06亿元，指数收报-3.96点。",
        expect_test::expect![[r#"
            -2.06亿元 = -206000000 元 | 净利润
            -3.96点 = -3.96 点 | 指数"#]],
    );
    check("岛内出口额达新台币 177.1 亿元。", expect_test::expect!["177.1 亿元 = 17710000000 新台币 | 岛内出口额"]);
    check("场馆可容纳1 000人。", expect_test::expect!["1 000人 = 1000 人 | 场馆"]);
}

#[test]
fn fractions_in_words_and_digits() {
    check(
        "约三分之一的居民选择公交出行，五分之二来自外地，1/3为新客户。",
        expect_test::expect![[r#"
        约三分之一 = 33.3333333333 % about | 居民选择公交出行
        五分之二 = 40 % | 来自外地
        1/3 = 33.3333333333 % | 为新客户"#]],
    );
    check(
        "占百分之三十，千分之五。",
        expect_test::expect![[r#"
        百分之三十 = 30 % | -
        千分之五 = 0.5 % | -"#]],
    );
}

#[test]
fn financial_numerals_and_scale_words() {
    check("合同价款肆佰叁拾萬圆整。", expect_test::expect!["肆佰叁拾萬圆整 = 4300000 元 | 合同价款"]);
    check("捐赠壹仟元。", expect_test::expect!["壹仟元 = 1000 元 | 捐赠"]);
    check("对方预付了两个亿卢布。", expect_test::expect!["两个亿卢布 = 200000000 卢布 | 对方预付"]);
    check(
        "月薪15k左右，年薪30w上下，预算10~15k元。",
        expect_test::expect![[r#"
        15k左右 = 15000 "" about | 月薪
        30w上下 = 300000 "" about | 年薪
        10~15k元 = 10000..15000 元 | 预算"#]],
    );
    check(
        "投资三百万，融资近10亿。",
        expect_test::expect![[r#"
        三百万 = 3000000 "" | 投资
        近10亿 = 1000000000 "" under | 融资"#]],
    );
}

#[test]
fn ranges_share_a_scale_word_only_when_it_fits() {
    check("规模在七千到九千亿元之间。", expect_test::expect!["七千到九千亿元 = 700000000000..900000000000 元 | 规模"]);
    check("单价一千到两千万元。", expect_test::expect!["一千到两千万元 = 10000000..20000000 元 | 单价"]);
    check("报价从8500到3万港元不等。", expect_test::expect!["8500到3万港元 = 8500..30000 港元 | 报价"]);
    check("补贴1万元--5万元。", expect_test::expect!["1万元--5万元 = 10000..50000 元 | 补贴"]);
    check("租金2——3万港币。", expect_test::expect!["2——3万港币 = 20000..30000 港元 | 租金"]);
    check("门票两~3百日元。", expect_test::expect!["两~3百日元 = 200..300 日元 | 门票"]);
    check("投资一百二十到一百五十万元。", expect_test::expect!["一百二十到一百五十万元 = 1200000..1500000 元 | 投资"]);
    check("奖励1万(含)-5万元。", expect_test::expect!["1万(含)-5万元 = 10000..50000 元 | 奖励"]);
    check("工期10到12天。", expect_test::expect!["10到12天 = 10..12 天 | 工期"]);
}

#[test]
fn adjacent_numerals_and_vague_amounts() {
    check(
        "花了三五百块，赚了八九亿，借了四五千块钱。",
        expect_test::expect![[r#"
        三五百块 = 300..500 元 | -
        八九亿 = 800000000..900000000 "" | -
        四五千块钱 = 4000..5000 元 | -"#]],
    );
    check(
        "损失几十万元，投入数十亿元，建成上百座桥，花了十几块钱。",
        expect_test::expect![[r#"
            几十万元 = 100000..1000000 元 | 损失
            数十亿元 = 1000000000..10000000000 元 | -
            上百座 = 100..1000 座 | 桥
            十几块钱 = 10..20 元 | -"#]],
    );
    check(
        "售价3000多欧元，花了十多欧元，来了一百二十多人。",
        expect_test::expect![[r#"
        3000多欧元 = 3000..4000 欧元 over | 售价
        十多欧元 = 10..20 欧元 over | -
        一百二十多人 = 120..130 人 over | 来"#]],
    );
    check(
        "带来一两个项目，来了二十几位客人。",
        expect_test::expect![[r#"
        一两个 = 1..2 个 | 项目
        二十几位 = 20..30 位 | 客人"#]],
    );
}

#[test]
fn units_compound_colloquial_and_foreign() {
    check(
        "收购价12元/股，煤价800元/吨，标煤价900元/标吨，地价2万元/亩。",
        expect_test::expect![[r#"
        12元/股 = 12 元/股 | 收购价
        800元/吨 = 800 元/吨 | 煤价
        900元/标吨 = 900 元/标吨 | 标煤价
        2万元/亩 = 20000 元/亩 | 地价"#]],
    );
    check(
        "导热系数0.5W/m·K，时速120公里/小时。",
        expect_test::expect![[r#"
        0.5W/m·K = 0.5 W/m·K | 导热系数
        120公里/小时 = 120 公里/小时 | 时速"#]],
    );
    check(
        "回购300万股，屏幕65英寸，晶圆2000片，建成5座，养殖300只。",
        expect_test::expect![[r#"
        300万股 = 3000000 股 | 回购
        65英寸 = 65 英寸 | 屏幕
        2000片 = 2000 片 | 晶圆
        5座 = 5 座 | 建成
        300只 = 300 只 | 养殖"#]],
    );
    check(
        "菜价十块三毛，书价一百三十五块六角七分钱。",
        expect_test::expect![[r#"
        十块三毛 = 10.3 元 | 菜价
        一百三十五块六角七分钱 = 135.67 元 | 书价"#]],
    );
    check(
        "出口3亿美元、2000万欧元、5亿日元、80万泰铢、1亿卢布、3000亿韩元、900万澳元、40万港元。",
        expect_test::expect![[r#"
            3亿美元 = 300000000 美元 | 出口
            2000万欧元 = 20000000 欧元 | -
            5亿日元 = 500000000 日元 | -
            80万泰铢 = 800000 泰铢 | -
            1亿卢布 = 100000000 卢布 | -
            3000亿韩元 = 300000000000 韩元 | -
            900万澳元 = 9000000 澳元 | -
            40万港元 = 400000 港元 | -"#]],
    );
    check("港币两千九百六十元。", expect_test::expect!["两千九百六十元 = 2960 港元 | -"]);
    check("连续工作17个小时。", expect_test::expect!["17个小时 = 17 小时 | 连续工作"]);
    check("迎来建校100周年。", expect_test::expect!["100周年 = 100 周年 | 迎来建校"]);
}

#[test]
fn still_not_figures() {
    check(
        "2025年6月26日，第五届、第一批、4S店、G20、5G、C13、243X、2D、沪深300、十五五规划、打通最后一公里、十四五时期、9月30日。",
        expect_test::expect![],
    );
    check("下午3点开幕，晚上8点半结束。", expect_test::expect![]);
    // 陆, 伍 alone are family names, not financial numerals.
    check("公司副总经理陆元说，伍元也来了。", expect_test::expect![]);
}

#[test]
fn subjects_name_the_measured_thing() {
    check("服务站办事只要半小时。", expect_test::expect!["半小时 = 0.5 小时 | 服务站办事"]);
    check("新城正在这条5公里的轴线上渐次生长。", expect_test::expect!["5公里 = 5 公里 | 轴线"]);
    check(
        "全市社会消费品零售总额达1.2万亿元。",
        expect_test::expect!["1.2万亿元 = 1200000000000 元 | 全市社会消费品零售总额"],
    );
}

fn dated(input: &str, base: &str) -> String {
    let lexicon = Lexicon::builtin();
    let mut figures = figures_in_paragraph(input, 0, 0, &lexicon);
    date_periods(&mut figures, parse_iso(base), &lexicon);
    figures
        .iter()
        .map(|f| {
            format!(
                "{} | {} | {}..{}",
                f.text,
                f.period.as_deref().unwrap_or("-"),
                f.period_start.as_deref().unwrap_or("?"),
                f.period_end.as_deref().unwrap_or("?")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn figure_periods_become_dates_against_the_page_date() {
    let text = "今年1至5月，全市外贸进出口额达3200亿元；截至2025年底，共有企业612家。上半年新增企业35家。";
    expect_test::expect![[r#"
        3200亿元 | 今年1至5月 | 2026-01-01..2026-05-31
        612家 | 截至2025年底 | 2025-12-31..2025-12-31
        35家 | 上半年 | 2026-01-01..2026-06-30"#]]
    .assert_eq(&dated(text, "2026-06-30"));
    // Without a page date relative periods stay unresolved; absolute ones still resolve.
    expect_test::expect![[r#"
        3200亿元 | 今年1至5月 | ?..?
        612家 | 截至2025年底 | 2025-12-31..2025-12-31
        35家 | 上半年 | ?..?"#]]
    .assert_eq(&dated(text, ""));
}

#[test]
fn periods_in_running_text_are_read_whole() {
    let text = "今年前5个月，出口增长8%。今年一季度，进口1200亿元。近三年，累计投资300亿元。去年同期，利润下降2%。10年间，他行走6万公里；98年4月，销量达3万台。";
    expect_test::expect![[r#"
        8% | 今年前5个月 | 2026-01-01..2026-05-31
        1200亿元 | 今年一季度 | 2026-01-01..2026-03-31
        近三年 | 今年一季度 | 2026-01-01..2026-03-31
        300亿元 | 近三年 | 2023-06-30..2026-06-30
        2% | 去年同期 | ?..?
        10年 | - | ?..?
        6万公里 | - | ?..?
        3万台 | 98年4月 | 1998-04-01..1998-04-30"#]]
    .assert_eq(&dated(text, "2026-06-30"));
}

#[test]
fn relative_periods_resolve_only_with_a_base() {
    let base = parse_iso("2026-06-30");
    let render = |text: &str, base| resolve(text, base, &Lexicon::builtin()).map(|p| format!("{}..{}", p.start, p.end));
    assert_eq!(render("去年", base).as_deref(), Some("2025-01-01..2025-12-31"));
    assert_eq!(render("去年", None), None);
}

#[test]
fn period_subcommand_prints_start_and_end() {
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_extract")).args(args).output().expect("running extract");
        assert!(output.status.success());
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };
    assert_eq!(
        run(&["period", "--text", "今年1至5月", "--base", "2026-06-30"]),
        r#"{"start":"2026-01-01","end":"2026-05-31"}"#
    );
    assert_eq!(run(&["period", "--text", "今年1至5月"]), "null");
    assert_eq!(run(&["period", "--text", "增长了", "--base", "2026-06-30"]), "null");
    let bad = Command::new(env!("CARGO_BIN_EXE_extract"))
        .args(["period", "--text", "今年", "--base", "June"])
        .output()
        .expect("running extract");
    assert_eq!(bad.status.code(), Some(2));
}

/// Runs the binary in batch mode over one page and renders its figures with their dates.
fn batch_dates(page_id: &str, paragraphs: &[&str], options: Option<&str>) -> String {
    use model::{Article, Page, Section};
    let dir = tempfile::tempdir().expect("temp dir");
    let page = Page {
        id: page_id.into(),
        articles: vec![Article {
            id: format!("{page_id}-1"),
            headline: "标题".into(),
            sections: vec![Section { heading: None, paragraphs: paragraphs.iter().map(|p| (*p).to_owned()).collect() }],
            ..Article::default()
        }],
        ..Page::default()
    };
    let input = dir.path().join(format!("{page_id}.json"));
    std::fs::write(&input, model::wire::encode("clean", &page)).expect("writing input");
    let out = dir.path().join("out");
    let mut command = Command::new(env!("CARGO_BIN_EXE_extract"));
    command.arg("-o").arg(&out);
    if let Some(options) = options {
        let path = dir.path().join("options.json");
        std::fs::write(&path, options).expect("writing options");
        command.arg("--options").arg(&path);
    }
    assert!(command.arg(&input).status().expect("running extract").success());
    let page = model::io::read_page(&out.join(format!("{page_id}.json"))).expect("reading output");
    page.articles[0]
        .figures
        .iter()
        .map(|f| {
            format!(
                "{} | {} | {}..{}",
                f.text,
                f.period.as_deref().unwrap_or("-"),
                f.period_start.as_deref().unwrap_or("?"),
                f.period_end.as_deref().unwrap_or("?")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn batch_mode_dates_periods_from_the_page_id_and_dateline() {
    let paragraphs = ["本报杭州9月30日电 上周，全市新增企业120家。今年前三季度，营收增长8%。"];
    // The page is dated October 2; the dateline moves the base to September 30.
    expect_test::expect![[r#"
        120家 | 上周 | 2023-09-18..2023-09-24
        8% | 今年前三季度 | 2023-01-01..2023-09-30"#]]
    .assert_eq(&batch_dates("rmrb_20231002_01", &paragraphs, None));
    // No date in the id and none configured: relative periods stay unresolved.
    expect_test::expect![[r#"
        120家 | 上周 | ?..?
        8% | 今年前三季度 | ?..?"#]]
    .assert_eq(&batch_dates("p1", &paragraphs, None));
    // A configured page date stands in for a missing one.
    let undated = ["上周，全市新增企业120家。"];
    expect_test::expect!["120家 | 上周 | 2026-06-22..2026-06-28"].assert_eq(&batch_dates(
        "p1",
        &undated,
        Some(r#"{"page_date": "2026-06-30"}"#),
    ));
}
