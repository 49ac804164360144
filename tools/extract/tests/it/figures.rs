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
    // Found by fuzzing: a negative numerator over zero was an infinite percentage.
    check("增幅-15/00。", expect_test::expect![]);
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
    // A length placed before or after now is a time: 三个月前, 两年后, 20天之后.
    check("三个月前，他们发布了三份文件；两年后、20天之后再看。", expect_test::expect!["三份 = 3 份 | 文件"]);
    check(
        "建校100周年前夕，校友捐赠5亿元。",
        expect_test::expect![[r#"
        100周年 = 100 周年 | 建校
        5亿元 = 500000000 元 | 校友捐赠"#]],
    );
    // 陆, 伍 alone are family names, not financial numerals.
    check("公司副总经理陆元说，伍元也来了。", expect_test::expect![]);
}

#[test]
fn index_plan_and_code_names_are_no_figures_by_rule() {
    // With the lexicon's list of such names emptied, the general rules alone reject them: a
    // bare number is a figure only when big and scaled, 十四五 runs into 时 (a time), 十五五 is 十五
    // and a 五 that is no unit, a letter or 第 next to a number makes it a code or an ordinal.
    let mut files = std::collections::HashMap::new();
    files.insert("extract-not-figures.txt".to_owned(), String::new());
    let lexicon = Lexicon::from_files(&files).expect("lexicon");
    let text = "沪深300指数、上证50、中证1000、科创50和创业板50走强；十四五时期、十五五规划、“十三五”期间；\
                第十一届、第3批、A股、G60、5G、3D、C919、2025年、6月26日、9月30日、下午3点。";
    let figures: Vec<String> = figures_in_paragraph(text, 0, 0, &lexicon).into_iter().map(|f| f.text).collect();
    assert_eq!(figures, Vec::<String>::new());
}

#[test]
fn time_words_inside_nouns_are_no_periods() {
    // 未来 before a noun is part of it (未来产业); before a break or an adverb it is a time word.
    let lexicon = Lexicon::builtin();
    let cases = [
        ("未来产业规模达300亿元。", None, Some("未来产业规模")),
        ("未来社区建成12个。", None, Some("未来社区建成")),
        ("未来，全市将新增100家企业。", Some("未来"), Some("企业")),
        ("未来将新增100家企业。", Some("未来"), Some("企业")),
        ("未来5年，将投入80亿元。", Some("未来5年"), None),
        ("“十五五”期间，将投入50亿元。", Some("“十五五”期间"), None),
    ];
    for (text, period, subject) in cases {
        let figure = figures_in_paragraph(text, 0, 0, &lexicon).pop().expect(text);
        assert_eq!((figure.period.as_deref(), figure.subject.as_deref()), (period, subject), "{text}");
    }
}

#[test]
fn festivals_and_seasons_in_running_text() {
    // A festival dates its figures; a festival-like word inside a name or an adjective does not
    // (五一广场, 王国庆, 政治清明), nor does a season without a year (habitual: 冬季平均气温).
    let cases = [
        ("中秋国庆假期，全市接待游客300万人次。", "300万人次 | 中秋国庆假期 | 2023-09-29..2023-10-06"),
        ("今年暑期，景区客流达50万人次。", "50万人次 | 今年暑期 | 2023-07-01..2023-08-31"),
        (
            "自2021年10月正式运营以来，累计接待800万人次。",
            "800万人次 | 自2021年10月正式运营以来 | 2021-10-01..2023-10-09",
        ),
        ("“十四五”期间，全市累计投资500亿元。", "500亿元 | “十四五”期间 | 2021-01-01..2025-12-31"),
        ("五一广场新增车位200个。", "200个 | - | ?..?"),
        ("副理事长王国庆说，投资达5亿元。", "5亿元 | - | ?..?"),
        ("政治清明，群众满意度达95%。", "95% | - | ?..?"),
        ("冬季平均气温接近10℃。", "接近10℃ | - | ?..?"),
        ("今年冬季，供暖面积达3亿平方米。", "3亿平方米 | 今年冬季 | 2023-12-01..2024-02-29"),
        ("《十月》杂志发行5万册。", "5万册 | - | ?..?"),
        ("原来一个月来一次。", "一个月 | - | ?..?"),
        ("建交10年来，双边贸易增长3倍。", "10年 | - | ?..?\n3倍 | 10年来 | 2013-10-09..2023-10-09"),
    ];
    for (text, want) in cases {
        assert_eq!(dated(text, "2023-10-09"), want, "{text}");
    }
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

/// The public test cases of the peer toolkit's time parser (JioNLP), typed in by hand: the text,
/// the base date and the first..last day that suite expects.
const PEER_TIME_CASES: &[(&str, &str, &str)] = &[
    ("2019/04/19", "2021-06-14", "2019-04-19..2019-04-19"),
    ("2018-11-29 18:59", "2021-06-14", "2018-11-29..2018-11-29"),
    ("2019-05-27 09:36:46", "2021-06-14", "2019-05-27..2019-05-27"),
    ("2018-12-1209:03", "2021-06-14", "2018-12-12..2018-12-12"),
    ("2019.9.6", "2021-06-14", "2019-09-06..2019-09-06"),
    ("1994.01-19", "2021-06-14", "1994-01-19..1994-01-19"),
    ("1999.08-2002.02", "2021-06-14", "1999-08-01..2002-02-28"),
    ("2008.03-2009", "2021-06-14", "2008-03-01..2009-12-31"),
    ("2019.05.29 15:20-2020.01.12 12:10", "2021-06-14", "2019-05-29..2020-01-12"),
    ("6·30", "2021-06-14", "2021-06-30..2021-06-30"),
    ("2018", "2021-06-14", "2018-01-01..2018-12-31"),
    ("2015年8月12日", "2021-06-14", "2015-08-12..2015-08-12"),
    ("15年3月2日", "2021-06-14", "2015-03-02..2015-03-02"),
    ("03年2月28日", "2021-05-06", "2003-02-28..2003-02-28"),
    ("9月30日", "2008-03-13", "2008-09-30..2008-09-30"),
    ("98年4月", "1997-07-01", "1998-04-01..1998-04-30"),
    ("12月30号", "1837-01-01", "1837-12-30..1837-12-30"),
    ("零七年八月二十九号", "2017-10-30", "2007-08-29..2007-08-29"),
    ("九零年9月十号", "1973-06-19", "1990-09-10..1990-09-10"),
    ("十二月20号", "1973-06-19", "1973-12-20..1973-12-20"),
    ("二零零三年十二月", "2021-06-14", "2003-12-01..2003-12-31"),
    ("二〇〇六年十二月", "2021-06-14", "2006-12-01..2006-12-31"),
    ("2023年", "2021-06-14", "2023-01-01..2023-12-31"),
    ("三三年", "2021-06-14", "1933-01-01..1933-12-31"),
    ("91年5月", "2021-06-14", "1991-05-01..1991-05-31"),
    ("07年第三季度", "2008-03-02", "2007-07-01..2007-09-30"),
    ("2021年前两个季度", "2021-06-14", "2021-01-01..2021-06-30"),
    ("2022年首季度", "2021-06-14", "2022-01-01..2022-03-31"),
    ("九七年一季度", "1999-09-02", "1997-01-01..1997-03-31"),
    ("一季度", "2021-06-14", "2021-01-01..2021-03-31"),
    ("今年前三季度", "2021-06-14", "2021-01-01..2021-09-30"),
    ("上个季度", "2021-06-14", "2021-01-01..2021-03-31"),
    ("19年底", "2021-06-14", "2019-11-01..2019-12-31"),
    ("1993年上半年", "2021-06-14", "1993-01-01..1993-06-30"),
    ("二零二二年伊始", "2021-06-14", "2022-01-01..2022-01-31"),
    ("明年初", "2021-06-14", "2022-01-01..2022-02-28"),
    ("明年年初", "2021-06-14", "2022-01-01..2022-02-28"),
    ("次年年末", "2021-06-14", "2022-11-01..2022-12-31"),
    ("去年暑假", "2021-06-14", "2020-07-01..2020-08-31"),
    ("年底", "2021-06-14", "2021-11-01..2021-12-31"),
    ("年底前", "2021-06-14", "2021-06-14..2021-12-31"),
    ("同月9号17点", "2021-06-14", "2021-06-09..2021-06-09"),
    ("上个月15号", "2021-06-14", "2021-05-15..2021-05-15"),
    ("下月九号", "2021-06-14", "2021-07-09..2021-07-09"),
    ("本月9日", "2021-06-14", "2021-06-09..2021-06-09"),
    ("本月初", "2021-06-14", "2021-06-01..2021-06-05"),
    ("当月", "2021-06-14", "2021-06-01..2021-06-30"),
    ("18世纪", "2021-06-14", "1700-01-01..1799-12-31"),
    ("上世纪80年代", "2021-06-14", "1980-01-01..1989-12-31"),
    ("十九世纪七十年代", "2021-06-14", "1870-01-01..1879-12-31"),
    ("二十世纪九十年代末期", "2021-06-14", "1997-01-01..1999-12-31"),
    ("11世纪初", "2021-06-14", "1000-01-01..1019-12-31"),
    ("20世纪60年代前期", "2021-06-14", "1960-01-01..1962-12-31"),
    ("2022年前十一个月", "2021-06-14", "2022-01-01..2022-11-30"),
    ("70年第8个月", "1965-10-01", "1970-08-01..1970-08-31"),
    ("2005年首月", "2021-06-14", "2005-01-01..2005-01-31"),
    ("五八年前七个月", "1970-01-01", "1958-01-01..1958-07-31"),
    ("二零二一年后三月", "2021-06-14", "2021-10-01..2021-12-31"),
    ("1967年前两月", "2021-06-14", "1967-01-01..1967-02-28"),
    ("今年前五个月", "2021-06-14", "2021-01-01..2021-05-31"),
    ("去年3月3号", "1966-01-01", "1965-03-03..1965-03-03"),
    ("今年六月", "1966-01-01", "1966-06-01..1966-06-30"),
    ("明年3月份", "2021-06-14", "2022-03-01..2022-03-31"),
    ("上一年", "2021-06-14", "2020-01-01..2020-12-31"),
    ("3年后", "2021-01-01", "2024-01-01..2024-12-31"),
    ("两年前", "2021-01-01", "2019-01-01..2019-12-31"),
    ("二十几年前", "2021-06-14", "1991-01-01..2001-12-31"),
    ("2017年8月11日至8月22日", "2021-06-14", "2017-08-11..2017-08-22"),
    ("2017年8月15日至2018年3月29日", "2021-06-14", "2017-08-15..2018-03-29"),
    ("2017年8月至11月", "2021-06-14", "2017-08-01..2017-11-30"),
    ("2017年五月至2018年四月", "2021-06-14", "2017-05-01..2018-04-30"),
    ("二〇一九年5月8日起", "2021-06-14", "2019-05-08..2021-06-14"),
    ("从去年9月起", "2021-06-14", "2020-09-01..2021-06-14"),
    ("从2001年起至今", "2021-06-14", "2001-01-01..2021-06-14"),
    ("从2008年——2018年", "2021-06-14", "2008-01-01..2018-12-31"),
    ("从2015年1月至12月", "2021-06-14", "2015-01-01..2015-12-31"),
    ("从2018年12月九号到十五号", "2021-06-14", "2018-12-09..2018-12-15"),
    ("明年6月之前", "2021-06-14", "2021-06-14..2022-06-30"),
    ("1985到89年9月", "2020-01-01", "1985-01-01..1989-09-30"),
    ("2019年4月12-19日", "2020-01-01", "2019-04-12..2019-04-19"),
    ("2019年1-五月", "2020-01-01", "2019-01-01..2019-05-31"),
    ("2018年1－9月份", "2020-01-01", "2018-01-01..2018-09-30"),
    ("从上个月到今天", "2021-06-14", "2021-05-01..2021-06-14"),
    ("2018年2——4月", "2021-06-14", "2018-02-01..2018-04-30"),
    ("明年底前", "2021-06-14", "2021-06-14..2022-12-31"),
    ("明年初之前", "2021-06-14", "2021-06-14..2022-02-28"),
    ("2025年前", "2021-06-14", "2021-06-14..2025-12-31"),
    ("二零四九年十月一号以前", "2021-06-14", "2021-06-14..2049-10-01"),
    ("三年前", "2021-06-14", "2018-01-01..2018-12-31"),
    ("二〇三五年前", "2021-06-14", "2021-06-14..2035-12-31"),
    ("9月10号，11号，12号，13号", "2021-06-14", "2021-09-10..2021-09-13"),
    ("上周", "2021-06-14", "2021-06-07..2021-06-13"),
    ("这周", "2021-06-14", "2021-06-14..2021-06-20"),
    ("上上周", "2021-06-14", "2021-05-31..2021-06-06"),
    ("下周六", "2021-06-14", "2021-06-26..2021-06-26"),
    ("下周周六", "2021-06-14", "2021-06-26..2021-06-26"),
    ("星期天", "2021-06-14", "2021-06-20..2021-06-20"),
    ("下个星期一", "2021-06-14", "2021-06-21..2021-06-21"),
    ("周二早上", "2021-06-14", "2021-06-15..2021-06-15"),
    ("6月1日周六早上10点钟", "2021-06-14", "2021-06-01..2021-06-01"),
    ("上个礼拜天", "2021-06-14", "2021-06-13..2021-06-13"),
    ("6月上旬", "2021-01-01", "2021-06-01..2021-06-10"),
    ("1999年7月下旬", "2021-06-14", "1999-07-11..1999-07-31"),
    ("九月下旬", "2021-01-01", "2021-09-11..2021-09-30"),
    ("2018年10月底", "2021-06-14", "2018-10-25..2018-10-31"),
    ("去年6月上旬", "2021-01-01", "2020-06-01..2020-06-10"),
    ("前天", "2021-09-01", "2021-08-30..2021-08-30"),
    ("后天", "2021-06-14", "2021-06-16..2021-06-16"),
    ("今天", "2021-06-14", "2021-06-14..2021-06-14"),
    ("昨晚8时35分", "2021-06-14", "2021-06-13..2021-06-13"),
    ("当晚十时", "2021-06-14", "2021-06-14..2021-06-14"),
    ("教师节", "2021-01-01", "2021-09-10..2021-09-10"),
    ("去年元旦", "2020-01-01", "2019-01-01..2019-01-01"),
    ("国庆", "2020-01-01", "2020-10-01..2020-10-01"),
    ("7月4日晚上7点09分18秒", "2021-01-01", "2021-07-04..2021-07-04"),
    ("去年7月4日晚上7点09分", "2021-01-01", "2020-07-04..2020-07-04"),
    ("早上7点", "2021-06-14", "2021-06-14..2021-06-14"),
    ("下月15号下午6点", "2021-06-14", "2021-07-15..2021-07-15"),
    ("上周六中午12点", "2021-06-14", "2021-06-12..2021-06-12"),
    ("昨天9点20", "2021-06-14", "2021-06-13..2021-06-13"),
    ("上个月23号晚上九点零九", "2021-06-14", "2021-05-23..2021-05-23"),
    ("上月30号12:37", "2021-06-14", "2021-05-30..2021-05-30"),
    ("15:37", "2021-06-14", "2021-06-14..2021-06-14"),
    ("2019年6月28日下午3:00", "2021-06-14", "2019-06-28..2019-06-28"),
    ("2019年6月28日9:30~11:30", "2021-06-14", "2019-06-28..2019-06-28"),
    ("晚上5点", "2021-06-14", "2021-06-14..2021-06-14"),
    ("4月26日20时1刻", "2021-06-14", "2021-04-26..2021-04-26"),
    ("20天后", "2021-06-14", "2021-07-04..2021-07-04"),
    ("17天后", "2019-02-18", "2019-03-07..2019-03-07"),
    ("17天内", "2019-02-18", "2019-02-18..2019-03-07"),
    ("30天后", "2019-02-18", "2019-03-20..2019-03-20"),
    ("近30天", "2021-06-14", "2021-05-15..2021-06-14"),
    ("近三个月", "2021-06-14", "2021-03-14..2021-06-14"),
    ("全天", "2021-06-14", "2021-06-14..2021-06-14"),
    ("今明两年", "2021-06-14", "2021-01-01..2022-12-31"),
    ("七年后", "2021-06-14", "2028-01-01..2028-12-31"),
    ("60日内", "2021-06-14", "2021-06-14..2021-08-13"),
    ("第七年", "2021-06-14", "2027-01-01..2027-12-31"),
    ("未来7天", "2021-06-14", "2021-06-14..2021-06-21"),
    ("今后10年", "2021-06-14", "2021-06-14..2031-06-12"),
];

#[test]
fn peer_time_parser_cases_at_day_level() {
    let lexicon = Lexicon::builtin();
    let misses: Vec<String> = PEER_TIME_CASES
        .iter()
        .filter_map(|(text, base, want)| {
            let got =
                resolve(text, parse_iso(base), &lexicon).map_or("null".into(), |p| format!("{}..{}", p.start, p.end));
            (got != *want).then(|| format!("{text} @ {base}: {got}, suite {want}"))
        })
        .collect();
    let right = PEER_TIME_CASES.len() - misses.len();
    expect_test::expect![[r#"
        130 of 140 right
        2018-12-1209:03 @ 2021-06-14: null, suite 2018-12-12..2018-12-12
        6·30 @ 2021-06-14: null, suite 2021-06-30..2021-06-30
        次年年末 @ 2021-06-14: null, suite 2022-11-01..2022-12-31
        70年第8个月 @ 1965-10-01: null, suite 1970-08-01..1970-08-31
        二十几年前 @ 2021-06-14: null, suite 1991-01-01..2001-12-31
        9月10号，11号，12号，13号 @ 2021-06-14: null, suite 2021-09-10..2021-09-13
        1999年7月下旬 @ 2021-06-14: 1999-07-21..1999-07-31, suite 1999-07-11..1999-07-31
        九月下旬 @ 2021-01-01: 2021-09-21..2021-09-30, suite 2021-09-11..2021-09-30
        第七年 @ 2021-06-14: null, suite 2027-01-01..2027-12-31
        今后10年 @ 2021-06-14: 2021-06-14..2031-06-14, suite 2021-06-14..2031-06-12"#]]
    .assert_eq(&format!("{right} of {} right\n{}", PEER_TIME_CASES.len(), misses.join("\n")));
}

/// The public test cases of the peer toolkit's money parser (JioNLP), typed in by hand: the text,
/// the value, the upper end and the unit that suite expects (it names 元 where none is printed).
const PEER_MONEY_CASES: &[(&str, f64, Option<f64>, &str)] = &[
    ("82，225.00元", 82225.0, None, "元"),
    ("25481港元", 25481.0, None, "港元"),
    ("45564.44美元", 45564.44, None, "美元"),
    ("233,333，333,434.344元", 233333333434.34, None, "元"),
    ("1.2万元", 12000.0, None, "元"),
    ("3千万亿日元", 3000000000000000.0, None, "日元"),
    ("新台币 177.1 亿元", 17710000000.0, None, "新台币"),
    ("15k左右", 15000.0, None, "元"),
    ("30w上下", 300000.0, None, "元"),
    ("六十四万零一百四十三元一角七分", 640143.17, None, "元"),
    ("壹万二千三百四十五元", 12345.0, None, "元"),
    ("三百万", 3000000.0, None, "元"),
    ("肆佰叁拾萬", 4300000.0, None, "元"),
    ("肆佰叁拾萬圆整", 4300000.0, None, "元"),
    ("肆佰叁拾萬圆", 4300000.0, None, "元"),
    ("二十五万三千二百泰铢", 253200.0, None, "泰铢"),
    ("两个亿卢布", 200000000.0, None, "卢布"),
    ("十块三毛", 10.3, None, "元"),
    ("一百三十五块六角七分钱", 135.67, None, "元"),
    ("港币两千九百六十元", 2960.0, None, "港元"),
    ("约4.287亿美元", 428700000.0, None, "美元"),
    ("近700万元", 7000000.0, None, "元"),
    ("至少九千块钱以上", 9000.0, None, "元"),
    ("不到1.9万台币", 19000.0, None, "新台币"),
    ("3000多欧元", 3000.0, Some(4000.0), "欧元"),
    ("几十万块", 100000.0, Some(1000000.0), "元"),
    ("人民币数十亿元", 1000000000.0, Some(10000000000.0), "元"),
    ("数十亿元人民币", 1000000000.0, Some(10000000000.0), "元"),
    ("十几块钱", 10.0, Some(20.0), "元"),
    ("大约十多欧元", 10.0, Some(20.0), "欧元"),
    ("从8500到3万港元", 8500.0, Some(30000.0), "港元"),
    ("1万-5万元", 10000.0, Some(50000.0), "元"),
    ("1万元--5万元", 10000.0, Some(50000.0), "元"),
    ("10~15k元", 10000.0, Some(15000.0), "元"),
    ("2——3万港币", 20000.0, Some(30000.0), "港元"),
    ("两到三万港元", 20000.0, Some(30000.0), "港元"),
    ("十八至三十万日元", 180000.0, Some(300000.0), "日元"),
    ("两到三仟澳元", 2000.0, Some(3000.0), "澳元"),
    ("两~3百日元", 200.0, Some(300.0), "日元"),
    ("一百二十到一百五十万元", 1200000.0, Some(1500000.0), "元"),
    ("一千到两千万元人民币", 10000000.0, Some(20000000.0), "元"),
    ("七千到九千亿元", 700000000000.0, Some(900000000000.0), "元"),
    ("八到九百亿泰铢", 800000000.0, Some(90000000000.0), "泰铢"),
    ("八百到九百亿泰铢", 80000000000.0, Some(90000000000.0), "泰铢"),
    ("八九亿韩元", 800000000.0, Some(900000000.0), "韩元"),
    ("三五百块", 300.0, Some(500.0), "元"),
    ("四五千块钱", 4000.0, Some(5000.0), "元"),
    ("50万元（含）以上", 500000.0, None, "元"),
    ("1万(含)-5万元", 10000.0, Some(50000.0), "元"),
    ("张三赔偿李大花人民币车费601,293.11元", 601293.11, None, "元"),
    ("工厂费一万二千三百四十五元", 12345.0, None, "元"),
    ("利息9佰日元", 900.0, None, "日元"),
    ("打印费十块钱", 10.0, None, "元"),
    ("税额共计壹仟玖佰圆整", 1900.0, None, "元"),
];

#[test]
fn peer_money_parser_cases() {
    let lexicon = Lexicon::builtin();
    let close = |a: f64, b: f64| (a - b).abs() <= b.abs() * 0.005 + 0.01;
    let mut misses = Vec::new();
    let (mut values, mut units) = (0, 0);
    for (text, value, value_max, unit) in PEER_MONEY_CASES {
        let figures = figures_in_paragraph(text, 0, 0, &lexicon);
        let one = figures.first().filter(|_| figures.len() == 1);
        let value_right = one.is_some_and(|f| {
            close(f.value, *value)
                && match (f.value_max, value_max) {
                    (None, None) => true,
                    (Some(a), Some(b)) => close(a, *b),
                    _ => false,
                }
        });
        let unit_right = value_right && one.is_some_and(|f| f.unit == *unit);
        values += usize::from(value_right);
        units += usize::from(unit_right);
        if !unit_right {
            let got: Vec<String> =
                figures.iter().map(|f| format!("{} {:?} {:?} {:?}", f.text, f.value, f.value_max, f.unit)).collect();
            misses.push(format!("{text}: {}", got.join("; ")));
        }
    }
    let n = PEER_MONEY_CASES.len();
    expect_test::expect![[r#"
        values 54 of 54, with the unit 50 of 54
        15k左右: 15k左右 15000.0 None ""
        30w上下: 30w上下 300000.0 None ""
        三百万: 三百万 3000000.0 None ""
        肆佰叁拾萬: 肆佰叁拾萬 4300000.0 None """#]]
    .assert_eq(&format!("values {values} of {n}, with the unit {units} of {n}\n{}", misses.join("\n")));
}
