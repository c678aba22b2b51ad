//! Recursive-descent parser for policy text.
//!
//! ```text
//! policy    := or
//! or        := and ("or" and)*
//! and       := term ("and" term)*
//! term      := "(" or ")" | threshold | attribute
//! threshold := NUMBER "of" "(" or ("," or)* ")"
//! ```
//! Keywords are case-insensitive; an attribute is any run of characters other than whitespace,
//! parentheses and commas (`dept:cardiology`, `role:physician`, `hospital:h1`).

use alloc::{vec, vec::Vec};

use super::{normalise_attribute, Node, MAX_NESTING, MAX_ROWS};
use crate::{Error, Result};

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token<'a> {
    Open,
    Close,
    Comma,
    Word(&'a str),
}

struct Parser<'a> {
    tokens: Vec<(usize, Token<'a>)>,
    next: usize,
    end: usize,
    rows: usize,
    nesting: usize,
}

pub(super) fn parse(text: &str) -> Result<Node> {
    let tokens = tokenize(text);
    if tokens.is_empty() {
        return Err(Error::EmptyPolicy);
    }
    let mut parser = Parser {
        tokens,
        next: 0,
        end: text.len(),
        rows: 0,
        nesting: 0,
    };
    let root = parser.or()?;
    match parser.peek() {
        None => Ok(root),
        Some(_) => Err(parser.error("`and`, `or` or the end of the policy")),
    }
}

fn tokenize(text: &str) -> Vec<(usize, Token<'_>)> {
    let mut tokens = Vec::new();
    let mut word_start = None;
    for (at, c) in text.char_indices() {
        let single = match c {
            '(' => Some(Token::Open),
            ')' => Some(Token::Close),
            ',' => Some(Token::Comma),
            _ => None,
        };
        if single.is_some() || c.is_whitespace() {
            if let Some(start) = word_start.take() {
                tokens.push((start, Token::Word(&text[start..at])));
            }
        } else if word_start.is_none() {
            word_start = Some(at);
        }
        if let Some(token) = single {
            tokens.push((at, token));
        }
    }
    if let Some(start) = word_start {
        tokens.push((start, Token::Word(&text[start..])));
    }
    tokens
}

fn is_keyword(word: &str, keyword: &str) -> bool {
    word.eq_ignore_ascii_case(keyword)
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Token<'a>> {
        self.tokens.get(self.next).map(|(_, t)| t)
    }

    fn peek_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if is_keyword(w, keyword))
    }

    fn error(&self, expected: &'static str) -> Error {
        let at = self.tokens.get(self.next).map_or(self.end, |(at, _)| *at);
        Error::PolicySyntax { at, expected }
    }

    fn expect(&mut self, token: Token<'static>, expected: &'static str) -> Result<()> {
        if self.peek() == Some(&token) {
            self.next += 1;
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    /// `or := and ("or" and)*`; a chain of `or`s becomes one 1-of-n gate.
    fn or(&mut self) -> Result<Node> {
        self.enter()?;
        let mut children = vec![self.and()?];
        while self.peek_keyword("or") {
            self.next += 1;
            children.push(self.and()?);
        }
        self.nesting -= 1;
        Ok(gate(1, children))
    }

    /// `and := term ("and" term)*`; a chain of `and`s becomes one n-of-n gate.
    fn and(&mut self) -> Result<Node> {
        let mut children = vec![self.term()?];
        while self.peek_keyword("and") {
            self.next += 1;
            children.push(self.term()?);
        }
        let n = children.len();
        Ok(gate(n, children))
    }

    fn term(&mut self) -> Result<Node> {
        match self.peek() {
            Some(Token::Open) => {
                self.next += 1;
                let inner = self.or()?;
                self.expect(Token::Close, "`)`")?;
                Ok(inner)
            }
            Some(Token::Word(word)) => {
                let word = *word;
                let is_threshold = matches!(
                    self.tokens.get(self.next + 1),
                    Some((_, Token::Word(next))) if is_keyword(next, "of")
                );
                if is_threshold {
                    self.threshold(word)
                } else if is_keyword(word, "and")
                    || is_keyword(word, "or")
                    || is_keyword(word, "of")
                {
                    Err(self.error("an attribute, `(` or `k of (`"))
                } else {
                    self.attribute(word)
                }
            }
            _ => Err(self.error("an attribute, `(` or `k of (`")),
        }
    }

    fn threshold(&mut self, count: &str) -> Result<Node> {
        let k: usize = count
            .parse()
            .map_err(|_| self.error("a number before `of`"))?;
        self.next += 2;
        self.expect(Token::Open, "`(` after `of`")?;
        let mut children = vec![self.or()?];
        while self.peek() == Some(&Token::Comma) {
            self.next += 1;
            children.push(self.or()?);
        }
        self.expect(Token::Close, "`,` or `)`")?;
        let n = children.len();
        if k == 0 || k > n {
            return Err(Error::InvalidThreshold { k, n });
        }
        Ok(gate(k, children))
    }

    fn attribute(&mut self, word: &str) -> Result<Node> {
        self.next += 1;
        if self.rows == MAX_ROWS {
            return Err(Error::PolicyTooLarge {
                what: "attributes",
                limit: MAX_ROWS,
            });
        }
        let node = Node::Attribute {
            name: normalise_attribute(word)?,
            row: self.rows,
        };
        self.rows += 1;
        Ok(node)
    }

    fn enter(&mut self) -> Result<()> {
        if self.nesting == MAX_NESTING {
            return Err(Error::PolicyTooLarge {
                what: "nesting levels",
                limit: MAX_NESTING,
            });
        }
        self.nesting += 1;
        Ok(())
    }
}

/// A gate, or its only child when there is one (`(a)` is just `a`).
fn gate(threshold: usize, children: Vec<Node>) -> Node {
    match <[Node; 1]>::try_from(children) {
        Ok([only]) => only,
        Err(children) => Node::Gate {
            threshold,
            children,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(name: &str, row: usize) -> Node {
        Node::Attribute {
            name: name.into(),
            row,
        }
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let tree = parse("a or b AND c").unwrap();
        let expected = Node::Gate {
            threshold: 1,
            children: vec![
                attr("a", 0),
                Node::Gate {
                    threshold: 2,
                    children: vec![attr("b", 1), attr("c", 2)],
                },
            ],
        };
        assert_eq!(tree, expected);
    }

    #[test]
    fn chains_flatten_into_one_gate() {
        let tree = parse("a and b and c").unwrap();
        assert!(matches!(tree, Node::Gate { threshold: 3, ref children } if children.len() == 3));
    }

    #[test]
    fn thresholds_and_parentheses() {
        let tree = parse("2 of (Dept:ICU, (a or b), c)").unwrap();
        let Node::Gate {
            threshold: 2,
            children,
        } = tree
        else {
            panic!("not a 2-of gate")
        };
        assert_eq!(children[0], attr("dept:icu", 0));
        assert_eq!(children.len(), 3);
    }

    #[test]
    fn single_attribute_is_a_leaf() {
        assert_eq!(
            parse("  ((role:physician)) ").unwrap(),
            attr("role:physician", 0)
        );
    }

    #[test]
    fn empty_policy_is_named() {
        assert_eq!(parse(""), Err(Error::EmptyPolicy));
        assert_eq!(parse("   "), Err(Error::EmptyPolicy));
    }

    #[test]
    fn syntax_errors_say_where() {
        assert_eq!(
            parse("a and"),
            Err(Error::PolicySyntax {
                at: 5,
                expected: "an attribute, `(` or `k of (`"
            })
        );
        assert!(matches!(
            parse("(a or b"),
            Err(Error::PolicySyntax { at: 7, .. })
        ));
        assert!(matches!(
            parse("a b"),
            Err(Error::PolicySyntax { at: 2, .. })
        ));
        assert!(matches!(
            parse("a or or b"),
            Err(Error::PolicySyntax { .. })
        ));
        assert!(matches!(parse(")"), Err(Error::PolicySyntax { at: 0, .. })));
        assert!(matches!(
            parse("x of (a, b)"),
            Err(Error::PolicySyntax { .. })
        ));
        assert!(matches!(
            parse("2 of a, b"),
            Err(Error::PolicySyntax { .. })
        ));
        assert!(matches!(parse("a, b"), Err(Error::PolicySyntax { .. })));
    }

    #[test]
    fn impossible_thresholds_are_named() {
        assert_eq!(
            parse("3 of (a, b)"),
            Err(Error::InvalidThreshold { k: 3, n: 2 })
        );
        assert_eq!(
            parse("0 of (a, b)"),
            Err(Error::InvalidThreshold { k: 0, n: 2 })
        );
    }

    #[test]
    fn limits_are_enforced() {
        let many = vec!["a"; MAX_ROWS + 1].join(" or ");
        assert_eq!(
            parse(&many),
            Err(Error::PolicyTooLarge {
                what: "attributes",
                limit: MAX_ROWS
            })
        );
        let deep = format!(
            "{}a{}",
            "(".repeat(MAX_NESTING + 1),
            ")".repeat(MAX_NESTING + 1)
        );
        assert!(matches!(
            parse(&deep),
            Err(Error::PolicyTooLarge {
                what: "nesting levels",
                ..
            })
        ));
        let long = "x".repeat(super::super::MAX_ATTRIBUTE_LEN + 1);
        assert_eq!(parse(&long), Err(Error::InvalidAttribute));
    }
}
