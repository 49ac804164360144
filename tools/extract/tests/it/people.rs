//! Speakers and people in invented paragraphs: one case per attribution pattern of issue 13,
//! each asserting the speaker and the role (`quote <first words> <- speaker (role)`).

use extract::Lexicon;
use extract::people::people_and_quotes;

fn check(paragraphs: &[&str], expect: expect_test::Expect) {
    let lexicon = Lexicon::builtin();
    let authors = ["周记者".to_owned()];
    let found = people_and_quotes(paragraphs.iter().enumerate().map(|(i, p)| (0, i, *p)), &authors, &lexicon);
    let mut lines = Vec::new();
    for q in &found.quotes {
        let prefix: String = q.text.chars().take(6).collect();
        lines.push(format!(
            "quote {prefix} <- {} ({})",
            q.speaker.as_deref().unwrap_or("-"),
            q.role.as_deref().unwrap_or("-")
        ));
    }
    for p in &found.people {
        lines.push(format!("person {} ({})", p.name, p.role.as_deref().unwrap_or("-")));
    }
    expect.assert_eq(&lines.join("\n"));
}

#[test]
fn speech_verb_after_the_quote() {
    check(
        &["“以前排队要一上午，现在十分钟就办好了。”张华说。"],
        expect_test::expect![[r#"
            quote 以前排队要一 <- 张华 (-)
            person 张华 (-)"#]],
    );
    check(
        &["“订单比去年多了三成，我们忙不过来。”店长林晓介绍。"],
        expect_test::expect![[r#"
            quote 订单比去年多 <- 林晓 (店长)
            person 林晓 (店长)"#]],
    );
    check(
        &["“这条街越来越热闹了，生意也好做了。”林晓笑着说。"],
        expect_test::expect![[r#"
            quote 这条街越来越 <- 林晓 (-)
            person 林晓 (-)"#]],
    );
    check(
        &["“我们会继续把服务做细做实。”社区主任赵敏告诉记者。"],
        expect_test::expect![[r#"
            quote 我们会继续把 <- 赵敏 (社区主任)
            person 赵敏 (社区主任)"#]],
    );
}

#[test]
fn speech_verb_before_the_quote() {
    check(
        &["张华表示：“我们要把每一件小事办好，让群众满意。”"],
        expect_test::expect![[r#"
            quote 我们要把每一 <- 张华 (-)
            person 张华 (-)"#]],
    );
    check(
        &["回忆起创业经历，厂长孙立坦言：“那时候真难，资金和人手都缺。”"],
        expect_test::expect![[r#"
            quote 那时候真难， <- 孙立 (厂长)
            person 孙立 (厂长)"#]],
    );
    check(
        &["退休教师周敏每天记日记。她在日记里写道：“今天又学会了一项新技能，很开心。”"],
        expect_test::expect!["quote 今天又学会了 <- - (-)"],
    );
}

#[test]
fn speaker_before_a_colon() {
    check(
        &["王师傅：“活儿多了，收入也涨了，日子有奔头。”"],
        expect_test::expect![[r#"
            quote 活儿多了，收 <- 王师傅 (-)
            person 王师傅 (-)"#]],
    );
}

#[test]
fn quote_split_by_a_pronoun_and_verb() {
    check(
        &["社区书记陈红一早就来到服务站。“居民的事无小事，”她说，“我们得跑在前面。”"],
        expect_test::expect![[r#"
            quote 居民的事无小 <- 陈红 (社区书记)
            quote 我们得跑在前 <- 陈红 (社区书记)
            person 陈红 (社区书记)"#]],
    );
}

#[test]
fn multi_paragraph_speech() {
    check(
        &[
            "张华在接受记者采访时表示：",
            "“第一，要把服务送到企业门口，让企业少跑腿。",
            "“第二，要把政策讲清楚，让企业用得上。”",
        ],
        expect_test::expect![[r#"
            quote 第一，要把服 <- 张华 (-)
            quote 第二，要把政 <- 张华 (-)
            person 张华 (-)"#]],
    );
}

#[test]
fn pronouns_and_references_resolve_to_the_last_fitting_person() {
    check(
        &[
            "街道党工委书记李明介绍了情况，民营企业负责人王强也参加了座谈。",
            "“政策落地很快，我们感受很深。”该负责人说。",
            "“下一步还要加大力度，服务更多企业。”他说。",
        ],
        expect_test::expect![[r#"
            quote 政策落地很快 <- 王强 (民营企业负责人)
            quote 下一步还要加 <- 王强 (民营企业负责人)
            person 李明 (街道党工委书记)
            person 王强 (民营企业负责人)"#]],
    );
}

#[test]
fn role_only_speakers_as_printed() {
    check(
        &[
            "“孩子玩得很开心，也学到了知识。”一位参与活动的家长说。",
            "“夜里巡逻，心里踏实。”值班民警说。",
            "有人说：“这里的变化太大了，都认不出来了。”",
        ],
        expect_test::expect![[r#"
            quote 孩子玩得很开 <- 一位参与活动的家长 (-)
            quote 夜里巡逻，心 <- 值班民警 (-)
            quote 这里的变化太 <- 有人 (-)"#]],
    );
}

#[test]
fn null_only_when_no_one_is_named() {
    check(
        &["墙上写着：“幸福都是奋斗出来的，奋斗本身就是一种幸福。”"],
        expect_test::expect!["quote 幸福都是奋斗 <- - (-)"],
    );
}

#[test]
fn people_with_forms_of_address_and_foreign_names() {
    check(
        &[
            "王师傅、吴女士和小李都是这里的老顾客，居民厉奶奶每天都来。",
            "美国学者玛丽·安·史密斯参观了展览，“中国的变化让人惊叹。”玛丽·安·史密斯说。",
            "本次活动由周记者报道。中国·杭州的风景很美，创新谷·科技大厦已经启用。",
        ],
        expect_test::expect![[r#"
            quote 中国的变化让 <- 玛丽·安·史密斯 (美国学者)
            person 王师傅 (-)
            person 吴女士 (-)
            person 小李 (-)
            person 玛丽·安·史密斯 (美国学者)"#]],
    );
}

#[test]
fn a_role_only_speaker_is_not_repeated_as_its_role() {
    // The speaker is the role phrase as printed; a role beside it would only repeat it. A pronoun
    // after such a speaker still finds the named person before it.
    let paragraphs = [
        "社区主任李红梅介绍了情况。",
        "“服务站办事只要半小时。”街道相关负责人介绍。",
        "“我们还会继续改进，让居民更满意。”她说。",
    ];
    let lexicon = Lexicon::builtin();
    let found = people_and_quotes(paragraphs.iter().enumerate().map(|(i, p)| (0, i, *p)), &[], &lexicon);
    let quotes: Vec<(Option<&str>, Option<&str>)> =
        found.quotes.iter().map(|q| (q.speaker.as_deref(), q.role.as_deref())).collect();
    assert_eq!(quotes, [(Some("街道相关负责人"), None), (Some("李红梅"), Some("社区主任"))]);
    assert!(found.quotes.iter().all(|q| q.role.is_none() || q.role != q.speaker));
}
