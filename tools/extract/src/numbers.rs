//! Numerals: digits (ASCII and full-width, with decimals and thousands commas), Chinese numerals
//! (〇 一 二 两 三 … 十 百 千 万 亿), `半`, and mixtures (4.17万亿, 18万, 三亿).
//!
//! Only the number itself: units, approximation words and whether a number is a figure at all
//! are decided by `figures`.

/// A numeral found in a text, in character offsets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Numeral {
    pub start: usize,
    pub end: usize,
    pub value: f64,
    /// Written with digits (possibly followed by scale words).
    pub digits: bool,
    /// How many digits before the decimal point (a 4-digit integer may be a year).
    pub integer_digits: usize,
    /// Contains a scale word (百 千 万 亿).
    pub scaled: bool,
    /// Only scale words, no digit (万, 亿, 万亿): "ten thousand" or just a word part.
    pub scale_only: bool,
    /// The plain numeral 一 (mostly an article, "a", not a quantity).
    pub one_word: bool,
    /// The numeral 半.
    pub half: bool,
    pub integer: bool,
}

/// Rounds away the binary noise of scaling decimals (9.2 × 1e8 = 919999999.9999999) by
/// keeping 12 significant digits.
pub fn tidy(value: f64) -> f64 {
    if value == 0.0 || !value.is_finite() {
        return value;
    }
    let digits = 12 - value.abs().log10().ceil() as i32;
    let factor = 10f64.powi(digits.clamp(-300, 300));
    (value * factor).round() / factor
}

pub fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

fn chinese_digit(c: char) -> Option<f64> {
    Some(match c {
        '〇' | '零' => 0.0,
        '一' => 1.0,
        '二' | '两' => 2.0,
        '三' => 3.0,
        '四' => 4.0,
        '五' => 5.0,
        '六' => 6.0,
        '七' => 7.0,
        '八' => 8.0,
        '九' => 9.0,
        _ => return None,
    })
}

pub fn scale_value(c: char) -> Option<f64> {
    Some(match c {
        '十' => 10.0,
        '百' => 100.0,
        '千' => 1e3,
        '万' => 1e4,
        '亿' => 1e8,
        _ => return None,
    })
}

/// Whether `c` can start a numeral.
pub fn starts_numeral(c: char) -> bool {
    digit_value(c).is_some() || chinese_digit(c).is_some() || scale_value(c).is_some() || c == '半'
}

/// Parses the numeral starting at `chars[at]`. `stop_scale_at` says, for a position, whether a
/// unit starts there that begins with a scale character (千米, 千克): such a character is not
/// consumed as a scale word.
pub fn parse_numeral(chars: &[char], at: usize, stop_scale_at: &dyn Fn(usize) -> bool) -> Option<Numeral> {
    let first = *chars.get(at)?;
    if first == '半' {
        return Some(Numeral {
            start: at,
            end: at + 1,
            value: 0.5,
            digits: false,
            integer_digits: 0,
            scaled: false,
            scale_only: false,
            one_word: false,
            half: true,
            integer: false,
        });
    }
    if digit_value(first).is_some() {
        return parse_digits(chars, at, stop_scale_at);
    }
    parse_chinese(chars, at, stop_scale_at)
}

fn parse_digits(chars: &[char], at: usize, stop_scale_at: &dyn Fn(usize) -> bool) -> Option<Numeral> {
    let mut i = at;
    let mut text = String::new();
    let mut integer_digits = 0;
    while i < chars.len() {
        if let Some(d) = digit_value(chars[i]) {
            text.push(char::from_digit(d, 10)?);
            integer_digits += 1;
            i += 1;
        } else if chars[i] == ',' && (1..=3).all(|k| chars.get(i + k).and_then(|c| digit_value(*c)).is_some()) {
            // A thousands separator: exactly three digits follow.
            i += 1;
        } else {
            break;
        }
    }
    let mut integer = true;
    if matches!(chars.get(i), Some('.') | Some('．')) && chars.get(i + 1).and_then(|c| digit_value(*c)).is_some() {
        text.push('.');
        i += 1;
        integer = false;
        while let Some(d) = chars.get(i).and_then(|c| digit_value(*c)) {
            text.push(char::from_digit(d, 10)?);
            i += 1;
        }
    }
    let mut value: f64 = text.parse().ok()?;
    let mut scaled = false;
    while let Some(scale) = chars.get(i).and_then(|c| scale_value(*c)) {
        if chars[i] == '十' || stop_scale_at(i) {
            break;
        }
        value *= scale;
        scaled = true;
        i += 1;
    }
    Some(Numeral {
        start: at,
        end: i,
        value: tidy(value),
        digits: true,
        integer_digits,
        scaled,
        scale_only: false,
        one_word: false,
        half: false,
        integer: integer && !scaled,
    })
}

fn parse_chinese(chars: &[char], at: usize, stop_scale_at: &dyn Fn(usize) -> bool) -> Option<Numeral> {
    // total: completed 亿/万 groups; section: the part below 万; digit: the pending digit.
    let mut total = 0.0;
    let mut section = 0.0;
    let mut digit: Option<f64> = None;
    let mut i = at;
    let mut any_digit = false;
    let mut scaled = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '〇' || c == '零' {
            // 一百零五: a zero is a placeholder between digits, not a digit of its own.
            if digit.is_some() {
                break;
            }
            any_digit = true;
        } else if let Some(d) = chinese_digit(c) {
            if digit.is_some() {
                // Two digits in a row (一二, 三四) are not one numeral.
                break;
            }
            digit = Some(d);
            any_digit = true;
        } else if let Some(scale) = scale_value(c) {
            if stop_scale_at(i) {
                break;
            }
            scaled |= scale >= 100.0;
            if scale >= 1e4 {
                // 三千五百万: everything so far is multiplied; 万 alone is one 万.
                let group = section + digit.take().unwrap_or(0.0);
                if scale >= 1e8 {
                    let base = total + group;
                    total = if base == 0.0 { 1.0 } else { base } * scale;
                } else {
                    total += if group == 0.0 { 1.0 } else { group } * scale;
                }
                section = 0.0;
            } else {
                section += digit.take().unwrap_or(1.0) * scale;
            }
        } else {
            break;
        }
        i += 1;
    }
    if i == at {
        return None;
    }
    let value = total + section + digit.unwrap_or(0.0);
    let one_word = i == at + 1 && chars[at] == '一';
    Some(Numeral {
        start: at,
        end: i,
        value,
        digits: false,
        integer_digits: 0,
        scaled,
        scale_only: !any_digit && scaled,
        one_word,
        half: false,
        integer: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: expect_test::Expect) {
        let chars: Vec<char> = input.chars().collect();
        let got = parse_numeral(&chars, 0, &|_| false)
            .map(|n| {
                let text: String = chars[n.start..n.end].iter().collect();
                format!(
                    "{text} = {}{}{}{}",
                    n.value,
                    if n.digits { " digits" } else { "" },
                    if n.scale_only { " scale-only" } else { "" },
                    if n.one_word { " one-word" } else { "" }
                )
            })
            .unwrap_or_else(|| "none".into());
        expect.assert_eq(&got);
    }

    #[test]
    fn digits() {
        check("72.35亿元", expect_test::expect!["72.35亿 = 7235000000 digits"]);
        check("4.17万亿元", expect_test::expect!["4.17万亿 = 4170000000000 digits"]);
        check("1,234.56亿", expect_test::expect!["1,234.56亿 = 123456000000 digits"]);
        check("１８万名", expect_test::expect!["１８万 = 180000 digits"]);
        check("2356次", expect_test::expect!["2356 = 2356 digits"]);
        check("5,0", expect_test::expect!["5 = 5 digits"]);
    }

    #[test]
    fn chinese() {
        check("三亿元", expect_test::expect!["三亿 = 300000000"]);
        check("二十四小时", expect_test::expect!["二十四 = 24"]);
        check("十大", expect_test::expect!["十 = 10"]);
        check("一百零五", expect_test::expect!["一百零五 = 105"]);
        check("一亿五千万", expect_test::expect!["一亿五千万 = 150000000"]);
        check("两千零二十四", expect_test::expect!["两千零二十四 = 2024"]);
        check("三千五百万", expect_test::expect!["三千五百万 = 35000000"]);
        check("万人", expect_test::expect!["万 = 10000 scale-only"]);
        check("万亿", expect_test::expect!["万亿 = 1000000000000 scale-only"]);
        check("一整天", expect_test::expect!["一 = 1 one-word"]);
        check("半小时", expect_test::expect!["半 = 0.5"]);
        check("三四个", expect_test::expect!["三 = 3"]);
    }

    #[test]
    fn scale_not_taken_from_a_unit() {
        let chars: Vec<char> = "5千米".chars().collect();
        let n = parse_numeral(&chars, 0, &|i| chars.get(i) == Some(&'千'));
        assert_eq!(n.map(|n| (n.end, n.value)), Some((1, 5.0)));
    }
}
