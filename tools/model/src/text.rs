//! Character classes and spacing repairs of Chinese page text, shared by `split` (which
//! measures lines) and `clean` (which repairs them). Pure functions over `&str`; nothing here
//! knows about articles.

/// A Han ideograph.
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x3007)
}

/// Characters that count as "wide" for letter-spacing: Han, CJK punctuation, full-width forms,
/// curly quotes and dashes.
pub fn is_wide(c: char) -> bool {
    is_han(c) || matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFFEF | 0x2014..=0x201F | 0x2026 | 0x00B7)
}

/// Removes the spaces of a letter-spaced line (`记 者 从 市 统 计 局`) between wide characters;
/// spaces next to Latin letters or digits stay (`S308 公路`). A line is letter-spaced when at
/// least two thirds of its adjacent wide pairs have one space between them and there are at least two
/// such pairs. Other lines are returned unchanged.
pub fn remove_letter_spacing(text: &str) -> String {
    // Justified lines are a column wide; a long line is not one, and scanning it would only cost.
    if text.len() > 4096 {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    let (mut spaced, mut tight) = (0usize, 0usize);
    for i in 0..chars.len().saturating_sub(1) {
        if is_wide(chars[i]) && is_wide(chars[i + 1]) && chars[i] != '\u{3000}' && chars[i + 1] != '\u{3000}' {
            tight += 1;
        } else if i + 2 < chars.len() && is_wide(chars[i]) && chars[i + 1] == ' ' && is_wide(chars[i + 2]) {
            spaced += 1;
        }
    }
    if spaced < 2 || spaced <= 2 * tight {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in chars.iter().enumerate() {
        if *c == ' ' && i > 0 && i + 1 < chars.len() {
            let before = out.chars().next_back().unwrap_or(' ');
            let after = chars[i + 1..].iter().copied().find(|c| *c != ' ').unwrap_or(' ');
            if is_wide(before) && is_wide(after) {
                continue;
            }
            if out.ends_with(' ') {
                continue;
            }
        }
        out.push(*c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_spacing_goes_between_han_and_stays_next_to_latin() {
        assert_eq!(
            remove_letter_spacing("记 者 从 市 统 计 局 获 悉 ，今 年 前 三 季 度"),
            "记者从市统计局获悉，今年前三季度"
        );
        assert_eq!(remove_letter_spacing("沿 S308 公 路 建 成 5G 基 站"), "沿 S308 公路建成 5G 基站");
        assert_eq!(
            remove_letter_spacing("两新融合 把牢用好科技创新的 关键变量"),
            "两新融合 把牢用好科技创新的 关键变量"
        );
    }

    #[test]
    fn han_and_wide_classes() {
        assert!(is_han('杭') && !is_han('A') && !is_han('，'));
        assert!(is_wide('，') && is_wide('“') && !is_wide('5'));
    }
}
