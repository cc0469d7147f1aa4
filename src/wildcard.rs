//! Wildcard matching shared by the IAM policy evaluator (`*` and `?`) and
//! EventBridge's `wildcard` operator (`*`, with `\*` a literal star). Each
//! caller turns its own syntax into [`Token`]s; the matching is one
//! dynamic program, pattern × text steps whatever the pattern's shape (no
//! backtracking, so no pattern can make it exponential).

/// One element of a parsed wildcard pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// Any run of characters, also none.
    Star,
    /// Exactly one character.
    One,
    /// This character.
    Char(char),
}

/// Whether `tokens` match the whole of `text`.
pub fn matches(tokens: &[Token], text: &[char]) -> bool {
    // reach[j]: the pattern so far can consume exactly text[..j].
    let mut reach = vec![false; text.len() + 1];
    reach[0] = true;
    for token in tokens {
        let mut next = vec![false; text.len() + 1];
        match token {
            Token::Star => {
                let mut any = false;
                for j in 0..=text.len() {
                    any |= reach[j];
                    next[j] = any;
                }
            }
            Token::One | Token::Char(_) => {
                for j in 0..text.len() {
                    let fits = match token {
                        Token::Char(c) => text[j] == *c,
                        _ => true,
                    };
                    if reach[j] && fits {
                        next[j + 1] = true;
                    }
                }
            }
        }
        reach = next;
    }
    reach[text.len()]
}
