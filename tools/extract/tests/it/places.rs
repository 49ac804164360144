//! Districts, streets, cities and provinces chosen for invented articles, with the mentions that
//! led there: one case per trap of issue 13 (everyday words that are short forms, a province's
//! short form inside a district's name, ambiguous names, national articles, two districts, a
//! dateline). Loads the repository's gazetteer, which every clone has.

use std::sync::OnceLock;

use model::gazetteer::{Gazetteer, GazetteerCsv};
use model::options::ExtractOptions;
use model::{Article, Page, Section};

fn extractor() -> &'static extract::Extractor {
    static EXTRACTOR: OnceLock<extract::Extractor> = OnceLock::new();
    EXTRACTOR.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/gazetteer");
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect("reading the gazetteer");
        let (provinces, cities, areas, streets) =
            (read("provinces.csv"), read("cities.csv"), read("areas.csv"), read("streets.csv"));
        let csv = GazetteerCsv { provinces: Some(&provinces), cities: Some(&cities), areas: &areas, streets: &streets };
        let gazetteer = Gazetteer::from_csv(csv).expect("the gazetteer parses");
        extract::Extractor::new(extract::Lexicon::builtin(), Some(gazetteer))
    })
}

/// An article written as `# headline`, `## kicker`, then one paragraph a line.
fn article(text: &str) -> Article {
    let mut article = Article::default();
    let mut paragraphs = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(kicker) = line.strip_prefix("## ") {
            article.kicker = Some(kicker.to_owned());
        } else if let Some(headline) = line.strip_prefix("# ") {
            article.headline = headline.to_owned();
        } else {
            paragraphs.push(line.to_owned());
        }
    }
    article.sections = vec![Section { heading: None, paragraphs }];
    article
}

fn run(text: &str, home: &str) -> (Article, String) {
    let extractor = extractor();
    let options = ExtractOptions { home_region: home.to_owned(), ..ExtractOptions::default() };
    let page = Page { articles: vec![article(text)], ..Page::default() };
    let explained = extract::explain_page(&page, extractor, &options);
    let page = extract::extract_page(page, extractor, &options);
    (page.articles.into_iter().next().unwrap_or_default(), explained)
}

/// Checks the chosen divisions; `home` is the configured home region.
fn check(text: &str, home: &str, expect: expect_test::Expect) {
    let (article, explained) = run(text, home);
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let got = format!(
        "district {} | street {} | city {} | province {}\n{}",
        show(&article.district),
        show(&article.street),
        show(&article.city),
        show(&article.province),
        explained.lines().filter(|l| l.starts_with("  ")).map(str::trim).collect::<Vec<_>>().join("\n")
    );
    expect.assert_eq(&got);
}

#[test]
fn everyday_words_that_are_short_forms_name_no_place() {
    check(
        "# 深化合作 共享资源
         双方将在资源共享、产业合作方面深化合作，维护和平与友好，比如共建复兴新兴产业。
         主城区的开发建设持续推进，合作项目落地，开发区资源丰富，城区面貌一新。
         合作共赢是大势所趋，和平发展是共同心愿，友好往来日益频繁。",
        "3301",
        expect_test::expect![[r#"
            district - | street - | city - | province -
            body weights: -
            district - (no district named); street -; city -; province -"#]],
    );
}

#[test]
fn a_province_short_form_is_not_tianjins_hebei_district() {
    check(
        "# 京津冀协同发展再提速
         河北积极承接产业转移，河北省与北京、天津加强协作。河北企业表示信心十足。",
        "",
        expect_test::expect![[r#"
            district - | street - | city - | province 河北省
            body 河北 [proper-noun token] -> 河北省 (unique; 13 河北省)
            body 河北省 [full name] -> 河北省 (unique; 13 河北省)
            body 北京 [proper-noun token] -> 北京市 (unique; 11 北京市)
            body 天津 [proper-noun token] -> 天津市 (unique; 12 天津市)
            body 河北 [proper-noun token] -> 河北省 (unique; 13 河北省)
            body weights: -
            district - (no district named); street -; city -; province 河北省"#]],
    );
    check(
        "# 天津河北区：老街区焕发新活力
         天津市河北区近年来推进老旧小区改造，河北区居民纷纷点赞。",
        "",
        expect_test::expect![[r#"
            district 河北区 | street - | city 天津市 | province 天津市
            headline 天津 [before its child] -> 天津市 (unique; 12 天津市)
            headline 河北区 [after its parent] -> 河北区 (neighbour; 120105 河北区)
            body 天津市 [full name] -> 天津市 (unique; 12 天津市)
            body 河北区 [after its parent] -> 河北区 (neighbour; 120105 河北区)
            body 河北区 [full name] -> 河北区 (unique; 120105 河北区)
            body weights: 河北区 4
            district 河北区 (district 河北区 named in the headline); street -; city 天津市; province 天津市"#]],
    );
}

#[test]
fn a_short_form_after_its_parent_is_a_place() {
    check(
        "# 甘南合作：高原小城的文旅新路
         在甘南合作，游客络绎不绝。合作市推出多条旅游线路，甘南藏族自治州合作市的民宿也火了。",
        "3301",
        expect_test::expect![[r#"
            district 合作市 | street - | city 甘南藏族自治州 | province 甘肃省
            headline 甘南 [before its child] -> 甘南藏族自治州 (unique; 6230 甘南藏族自治州)
            headline 合作 [after its parent] -> 合作市 (neighbour; 623001 合作市)
            body 甘南 [before its child] -> 甘南藏族自治州 (unique; 6230 甘南藏族自治州)
            body 合作 [after its parent] -> 合作市 (neighbour; 623001 合作市)
            body 合作市 [full name of an everyday word] -> 合作市 (unique; 623001 合作市)
            body 甘南藏族自治州 [full name] -> 甘南藏族自治州 (unique; 6230 甘南藏族自治州)
            body 合作市 [after its parent] -> 合作市 (neighbour; 623001 合作市)
            body weights: 合作市 5
            district 合作市 (district 合作市 named in the headline); street -; city 甘南藏族自治州; province 甘肃省"#]],
    );
}

#[test]
fn ambiguous_names_resolve_through_a_parent_then_home_else_none() {
    // 西湖区 is in Hangzhou and in Nanchang: the article names 南昌.
    check(
        "# 老城焕新
         南昌市西湖区启动老街改造。西湖区相关负责人介绍，改造将分三期进行，西湖区居民参与议事。",
        "3301",
        expect_test::expect![[r#"
            district 西湖区 | street - | city 南昌市 | province 江西省
            body 南昌市 [full name] -> 南昌市 (unique; 3601 南昌市)
            body 西湖区 [after its parent] -> 西湖区 (neighbour; 360103 西湖区)
            body 西湖区 [full name] -> 西湖区 (article; 330106 西湖区, 360103 西湖区)
            body 西湖区 [full name] -> 西湖区 (article; 330106 西湖区, 360103 西湖区)
            body weights: 西湖区 6
            district 西湖区 (西湖区 dominates the body: 6 of 6, next 0); street -; city 南昌市; province 江西省"#]],
    );
    // No parent named: the home region decides.
    check(
        "# 老城焕新
         西湖区启动老街改造。西湖区相关负责人介绍，改造将分三期进行，西湖区居民参与议事。",
        "3301",
        expect_test::expect![[r#"
            district 西湖区 | street - | city 杭州市 | province 浙江省
            body 西湖区 [full name] -> 西湖区 (home; 330106 西湖区, 360103 西湖区)
            body 西湖区 [full name] -> 西湖区 (home; 330106 西湖区, 360103 西湖区)
            body 西湖区 [full name] -> 西湖区 (home; 330106 西湖区, 360103 西湖区)
            body weights: 西湖区 6
            district 西湖区 (西湖区 dominates the body: 6 of 6, next 0); street -; city 杭州市; province 浙江省"#]],
    );
    // No parent, no home region: no guess.
    check(
        "# 老城焕新
         西湖区启动老街改造。西湖区相关负责人介绍，改造将分三期进行，西湖区居民参与议事。",
        "",
        expect_test::expect![[r#"
            district - | street - | city - | province -
            body 西湖区 [full name] -> - (ambiguous; 330106 西湖区, 360103 西湖区)
            body 西湖区 [full name] -> - (ambiguous; 330106 西湖区, 360103 西湖区)
            body 西湖区 [full name] -> - (ambiguous; 330106 西湖区, 360103 西湖区)
            body weights: -
            district - (no district named); street -; city -; province -"#]],
    );
}

#[test]
fn a_national_article_has_no_district() {
    check(
        "# 各地抢抓农时推进秋收
         连日来，黑龙江、河南、山东等地抢抓晴好天气收获秋粮。河南省林州市组织农机下田，山东省寿光市蔬菜大棚一片繁忙。
         四川、湖南等地的农技人员深入田间，江苏省盐城市、安徽省阜阳市的粮食收购点有序运转。",
        "3301",
        expect_test::expect![[r#"
            district - | street - | city - | province -
            body 黑龙江 [proper-noun token] -> 黑龙江省 (unique; 23 黑龙江省)
            body 河南 [proper-noun token] -> 河南省 (unique; 41 河南省)
            body 山东 [proper-noun token] -> 山东省 (unique; 37 山东省)
            body 河南省 [full name] -> 河南省 (unique; 41 河南省)
            body 林州市 [after its parent] -> 林州市 (neighbour; 410581 林州市)
            body 山东省 [full name] -> 山东省 (unique; 37 山东省)
            body 寿光市 [after its parent] -> 寿光市 (neighbour; 370783 寿光市)
            body 四川 [proper-noun token] -> 四川省 (unique; 51 四川省)
            body 湖南 [proper-noun token] -> 湖南省 (unique; 43 湖南省)
            body 江苏省 [full name] -> 江苏省 (unique; 32 江苏省)
            body 盐城市 [after its parent] -> 盐城市 (neighbour; 3209 盐城市)
            body 安徽省 [full name] -> 安徽省 (unique; 34 安徽省)
            body 阜阳市 [after its parent] -> 阜阳市 (neighbour; 3412 阜阳市)
            body weights: 林州市 2, 寿光市 2
            district - (evidence thin: 林州市 weighs 2 < 4); street -; city -; province -"#]],
    );
}

#[test]
fn an_article_about_two_districts_equally_has_none() {
    check(
        "# 两区联动共建商圈
         西湖区和滨江区签署合作协议。西湖区将开放场地，滨江区将提供技术。
         西湖区、滨江区的企业代表参加了签约仪式。",
        "3301",
        expect_test::expect![[r#"
            district - | street - | city 杭州市 | province 浙江省
            body 西湖区 [full name] -> 西湖区 (home; 330106 西湖区, 360103 西湖区)
            body 滨江区 [full name] -> 滨江区 (unique; 330108 滨江区)
            body 西湖区 [full name] -> 西湖区 (home; 330106 西湖区, 360103 西湖区)
            body 滨江区 [full name] -> 滨江区 (unique; 330108 滨江区)
            body 西湖区 [full name] -> 西湖区 (home; 330106 西湖区, 360103 西湖区)
            body 滨江区 [full name] -> 滨江区 (unique; 330108 滨江区)
            body weights: 西湖区 6, 滨江区 6
            district - (no district dominates: 西湖区 6, next 6); street -; city 杭州市; province 浙江省"#]],
    );
}

#[test]
fn a_district_named_only_in_the_dateline() {
    check(
        "# 老旧小区加装电梯提速
         本报临安讯 今年以来，当地已为30个小区加装电梯，居民出行更方便。",
        "3301",
        expect_test::expect![[r#"
            district 临安区 | street - | city 杭州市 | province 浙江省
            dateline 临安 [dateline] -> 临安区 (unique; 330112 临安区)
            body weights: -
            district 临安区 (district 临安区 named in the dateline); street -; city 杭州市; province 浙江省"#]],
    );
}

#[test]
fn a_county_level_city_in_a_national_paper_names_its_province_and_city() {
    check(
        "# 林州：红旗渠畔的新产业
         林州市位于河南省安阳市，近年来林州大力发展文旅产业。林州市的建筑业也闻名全国。",
        "",
        expect_test::expect![[r#"
            district 林州市 | street - | city 安阳市 | province 河南省
            headline 林州 [headline position] -> 林州市 (unique; 410581 林州市)
            body 林州市 [full name] -> 林州市 (unique; 410581 林州市)
            body 河南省 [full name] -> 河南省 (unique; 41 河南省)
            body 安阳市 [after its parent] -> 安阳市 (neighbour; 4105 安阳市)
            body 林州 [proper-noun token] -> 林州市 (unique; 410581 林州市)
            body 林州市 [full name] -> 林州市 (unique; 410581 林州市)
            body weights: 林州市 5
            district 林州市 (district 林州市 named in the headline); street -; city 安阳市; province 河南省"#]],
    );
}

#[test]
fn headline_district_and_street_and_a_short_form_before_its_child() {
    check(
        "## 打造服务业新坐标
         # 杭州钱塘下沙街道：好服务再升级
         下沙街道持续优化营商环境。钱塘区相关负责人说，下沙将继续发力。",
        "3301",
        expect_test::expect![[r#"
            district 钱塘区 | street 下沙街道 | city 杭州市 | province 浙江省
            headline 杭州 [before its child] -> 杭州市 (unique; 3301 杭州市)
            headline 钱塘 [after its parent] -> 钱塘区 (neighbour; 330114 钱塘区)
            headline 下沙街道 [after its parent] -> 下沙街道 (neighbour; 330114001 下沙街道)
            body 下沙街道 [full name] -> 下沙街道 (unique; 330114001 下沙街道)
            body 钱塘区 [full name] -> 钱塘区 (unique; 330114 钱塘区)
            body weights: 钱塘区 3
            district 钱塘区 (district 钱塘区 named in the headline); street 下沙街道; city 杭州市; province 浙江省"#]],
    );
    check(
        "# 临安：锁定赛道打造新坐标
         临安城区新添一处文化地标，临安区青山湖街道的企业也纷纷入驻。",
        "3301",
        expect_test::expect![[r#"
            district 临安区 | street - | city 杭州市 | province 浙江省
            headline 临安 [headline position] -> 临安区 (unique; 330112 临安区)
            body 临安 [before a place word] -> 临安区 (unique; 330112 临安区)
            body 临安区 [full name] -> 临安区 (unique; 330112 临安区)
            body 青山湖街道 [after its parent] -> 青山湖街道 (neighbour; 330112008 青山湖街道)
            body weights: 临安区 5
            district 临安区 (district 临安区 named in the headline); street -; city 杭州市; province 浙江省"#]],
    );
}

#[test]
fn a_single_passing_mention_is_thin_evidence() {
    check(
        "# 数字经济蓬勃发展
         全国数字经济规模持续扩大，各地加快布局。其中，余杭区的一家企业推出新产品。",
        "3301",
        expect_test::expect![[r#"
            district - | street - | city - | province -
            body 余杭区 [full name] -> 余杭区 (unique; 330110 余杭区)
            body weights: 余杭区 2
            district - (evidence thin: 余杭区 weighs 2 < 4); street -; city -; province -"#]],
    );
}

#[test]
fn a_proper_noun_token_alone_needs_a_division_around_it_named() {
    // 贵南 (a county of 青海) inside the name of a railway between 贵阳 and 南宁.
    check(
        "# 高铁通车 山海相连
         贵南高铁全线贯通，贵南高铁沿线群众出行更便捷。贵南高铁串起多个景区，贵南高铁带动沿线发展。",
        "3301",
        expect_test::expect![[r#"
            district - | street - | city - | province -
            body weights: -
            district - (no district named); street -; city -; province -"#]],
    );
}

#[test]
fn an_everyday_word_with_a_suffix_is_a_place_only_with_its_parent_named() {
    check(
        "# 深化区域合作
         双方深化合作，市县两级协同推进。加强合作市场监管。",
        "3301",
        expect_test::expect![[r#"
            district - | street - | city - | province -
            body weights: -
            district - (no district named); street -; city -; province -"#]],
    );
    check(
        "# 高原小城迎来游客潮
         甘肃省的合作市推出多条旅游线路，合作市的民宿也火了。",
        "",
        expect_test::expect![[r#"
            district - | street - | city - | province 甘肃省
            body 甘肃省 [full name] -> 甘肃省 (unique; 62 甘肃省)
            body 合作市 [full name of an everyday word] -> 合作市 (unique; 623001 合作市)
            body 合作市 [full name of an everyday word] -> 合作市 (unique; 623001 合作市)
            body weights: 合作市 2
            district - (evidence thin: 合作市 weighs 2 < 4); street -; city -; province 甘肃省"#]],
    );
}

#[test]
fn explain_subcommand_shows_mentions_evidence_and_choice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut article = article(
        "# 临安：锁定赛道打造新坐标
         临安区青山湖街道的企业纷纷入驻，临安区还将建设更多平台。",
    );
    article.id = "p1-1".into();
    let page = Page { id: "p1".into(), articles: vec![article], ..Page::default() };
    let input = dir.path().join("p1.json");
    std::fs::write(&input, model::wire::encode("clean", &page)).expect("writing input");
    let gazetteer = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/gazetteer");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_extract"))
        .arg("explain")
        .arg("--gazetteer")
        .arg(&gazetteer)
        .args(["--home-region", "3301"])
        .arg(&input)
        .output()
        .expect("running extract explain");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    expect_test::expect![[r#"
        article p1-1 临安：锁定赛道打造新坐标
          headline 临安 [headline position] -> 临安区 (unique; 330112 临安区)
          body 临安区 [full name] -> 临安区 (unique; 330112 临安区)
          body 青山湖街道 [after its parent] -> 青山湖街道 (neighbour; 330112008 青山湖街道)
          body 临安区 [full name] -> 临安区 (unique; 330112 临安区)
          body weights: 临安区 5
          district 临安区 (district 临安区 named in the headline); street -; city 杭州市; province 浙江省
    "#]]
    .assert_eq(&String::from_utf8_lossy(&output.stdout));
}
