//! The expressions of `relevant` and `constraint`, a subset of XLSForm's:
//!
//! ```text
//! ${languages} != '' and not(selected(${needs}, 'medical'))
//! . >= 18 and . <= 120
//! count(${members}) > 0 or ${travelling_alone} = 'yes'
//! ```
//!
//! `${name}` is another answer (a bare name, or a dotted path), `.` the answer being checked;
//! strings in single or double quotes; numbers; `=`, `!=`, `<`, `<=`, `>`, `>=`; `and`, `or`,
//! `not(…)`; `selected(a, 'code')`, `count(a)`, `string-length(a)`, `today()`, `true()`,
//! `false()`. As in XPath, an unanswered field is the empty string and a comparison with a list
//! (a multiple choice, or a field of every repeat entry) is true if any element matches.

use std::fmt;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `${…}`: a reference as written.
    Ref(String),
    /// `.`: the answer being checked.
    Dot,
    Str(String),
    Num(f64),
    Bool(bool),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp(Op, Box<Expr>, Box<Expr>),
    Selected(Box<Expr>, Box<Expr>),
    Count(Box<Expr>),
    StringLength(Box<Expr>),
    Today,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Why an expression does not parse, and where (a character offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub at: usize,
    pub message: &'static str,
}

impl fmt::Display for ExprError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at character {}", self.message, self.at + 1)
    }
}

/// A value while evaluating.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Str(String),
    Num(f64),
    Bool(bool),
    List(Vec<Val>),
}

/// What an expression can see: the answers around it.
pub trait Env {
    /// The value of a reference as written (`${name}`); [`Val::Null`] when unanswered.
    fn lookup(&self, reference: &str) -> Val;
    /// The answer being checked (`.`).
    fn dot(&self) -> Val;
    /// `YYYY-MM-DD`.
    fn today(&self) -> String;
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ref(String),
    Dot,
    Str(String),
    Num(f64),
    Word(String),
    Op(Op),
    Open,
    Close,
    Comma,
}

fn tokenize(src: &str) -> Result<Vec<(usize, Token)>, ExprError> {
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |at: usize, message| Err(ExprError { at, message });
    while i < chars.len() {
        let (at, c) = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '$' => {
                if chars.get(i + 1).map(|c| c.1) != Some('{') {
                    return err(at, "expected `{` after `$`");
                }
                let start = i + 2;
                let end = (start..chars.len())
                    .find(|&j| chars[j].1 == '}')
                    .ok_or(ExprError {
                        at,
                        message: "`${` without its `}`",
                    })?;
                let name: String = chars[start..end].iter().map(|c| c.1).collect();
                if name.trim().is_empty() {
                    return err(at, "empty reference `${}`");
                }
                out.push((at, Token::Ref(name.trim().to_owned())));
                i = end + 1;
            }
            '\'' | '"' => {
                let end = (i + 1..chars.len())
                    .find(|&j| chars[j].1 == c)
                    .ok_or(ExprError {
                        at,
                        message: "a string without its closing quote",
                    })?;
                out.push((
                    at,
                    Token::Str(chars[i + 1..end].iter().map(|c| c.1).collect()),
                ));
                i = end + 1;
            }
            '.' if !chars.get(i + 1).is_some_and(|c| c.1.is_ascii_digit()) => {
                out.push((at, Token::Dot));
                i += 1;
            }
            c if c.is_ascii_digit() || c == '.' || c == '-' => {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].1.is_ascii_digit() || chars[i].1 == '.') {
                    i += 1;
                }
                let text: String = chars[start..i].iter().map(|c| c.1).collect();
                let n = text.parse::<f64>().map_err(|_| ExprError {
                    at,
                    message: "not a number",
                })?;
                out.push((at, Token::Num(n)));
            }
            c if c.is_ascii_alphabetic() => {
                let start = i;
                while i < chars.len()
                    && (chars[i].1.is_ascii_alphanumeric()
                        || chars[i].1 == '-'
                        || chars[i].1 == '_')
                {
                    i += 1;
                }
                out.push((
                    at,
                    Token::Word(chars[start..i].iter().map(|c| c.1).collect()),
                ));
            }
            '(' => {
                out.push((at, Token::Open));
                i += 1;
            }
            ')' => {
                out.push((at, Token::Close));
                i += 1;
            }
            ',' => {
                out.push((at, Token::Comma));
                i += 1;
            }
            '=' => {
                out.push((at, Token::Op(Op::Eq)));
                i += 1;
            }
            '!' | '<' | '>' => {
                let eq = chars.get(i + 1).map(|c| c.1) == Some('=');
                let op = match (c, eq) {
                    ('!', true) => Op::Ne,
                    ('<', false) => Op::Lt,
                    ('<', true) => Op::Le,
                    ('>', false) => Op::Gt,
                    ('>', true) => Op::Ge,
                    _ => return err(at, "`!` must be followed by `=`"),
                };
                out.push((at, Token::Op(op)));
                i += if eq { 2 } else { 1 };
            }
            _ => return err(at, "a character expressions do not use"),
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    pos: usize,
    len: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|t| &t.1)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.len, |t| t.0)
    }

    fn fail<T>(&self, message: &'static str) -> Result<T, ExprError> {
        Err(ExprError {
            at: self.at(),
            message,
        })
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).map(|t| t.1.clone());
        self.pos += 1;
        t
    }

    fn word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(x)) if x == w)
    }

    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.and()?;
        while self.word("or") {
            self.pos += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.cmp()?;
        while self.word("and") {
            self.pos += 1;
            left = Expr::And(Box::new(left), Box::new(self.cmp()?));
        }
        Ok(left)
    }

    fn cmp(&mut self) -> Result<Expr, ExprError> {
        let left = self.primary()?;
        if let Some(Token::Op(op)) = self.peek() {
            let op = *op;
            self.pos += 1;
            let right = self.primary()?;
            return Ok(Expr::Cmp(op, Box::new(left), Box::new(right)));
        }
        Ok(left)
    }

    fn args(&mut self, n: usize) -> Result<Vec<Expr>, ExprError> {
        // The function's name, for saying where a wrong count is.
        let start = self.pos.saturating_sub(1);
        if self.next() != Some(Token::Open) {
            return self.fail("expected `(` after a function's name");
        }
        let mut args = Vec::new();
        if self.peek() != Some(&Token::Close) {
            loop {
                args.push(self.or()?);
                if self.peek() == Some(&Token::Comma) {
                    self.pos += 1;
                } else {
                    break;
                }
            }
        }
        if self.next() != Some(Token::Close) {
            return self.fail("expected `)`");
        }
        if args.len() != n {
            return Err(ExprError {
                at: self.tokens.get(start).map_or(0, |t| t.0),
                message: "wrong number of arguments for this function",
            });
        }
        Ok(args)
    }

    fn primary(&mut self) -> Result<Expr, ExprError> {
        let Some(token) = self.next() else {
            return self.fail("the expression ends too soon");
        };
        Ok(match token {
            Token::Ref(r) => Expr::Ref(r),
            Token::Dot => Expr::Dot,
            Token::Str(s) => Expr::Str(s),
            Token::Num(n) => Expr::Num(n),
            Token::Open => {
                let inner = self.or()?;
                if self.next() != Some(Token::Close) {
                    return self.fail("expected `)`");
                }
                inner
            }
            Token::Word(w) => {
                // `args(n)` returns exactly n arguments or an error.
                let one = |p: &mut Parser| p.args(1).map(|mut a| Box::new(a.remove(0)));
                match w.as_str() {
                    "not" => Expr::Not(one(self)?),
                    "count" => Expr::Count(one(self)?),
                    "string-length" => Expr::StringLength(one(self)?),
                    "selected" => {
                        let mut a = self.args(2)?;
                        let code = Box::new(a.remove(1));
                        Expr::Selected(Box::new(a.remove(0)), code)
                    }
                    "today" | "true" | "false" => {
                        self.args(0)?;
                        match w.as_str() {
                            "today" => Expr::Today,
                            "true" => Expr::Bool(true),
                            _ => Expr::Bool(false),
                        }
                    }
                    _ => {
                        self.pos -= 1;
                        return self.fail("unknown function or word");
                    }
                }
            }
            _ => {
                self.pos -= 1;
                return self.fail("expected a value, `${…}`, `.` or `(`");
            }
        })
    }
}

/// Parses an expression.
pub fn parse(src: &str) -> Result<Expr, ExprError> {
    let tokens = tokenize(src)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        len: src.len(),
    };
    let e = p.or()?;
    if p.pos < p.tokens.len() {
        return p.fail("unexpected text after the expression");
    }
    Ok(e)
}

impl Expr {
    /// Every `${…}` in the expression, as written.
    pub fn refs(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.visit(&mut |e| {
            if let Expr::Ref(r) = e {
                out.push(r.as_str());
            }
        });
        out
    }

    /// Whether `.` appears.
    pub fn uses_dot(&self) -> bool {
        let mut found = false;
        self.visit(&mut |e| found |= matches!(e, Expr::Dot));
        found
    }

    /// Whether `today()` appears.
    pub fn uses_today(&self) -> bool {
        let mut found = false;
        self.visit(&mut |e| found |= matches!(e, Expr::Today));
        found
    }

    fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::Not(a) | Expr::Count(a) | Expr::StringLength(a) => a.visit(f),
            Expr::And(a, b) | Expr::Or(a, b) | Expr::Cmp(_, a, b) | Expr::Selected(a, b) => {
                a.visit(f);
                b.visit(f);
            }
            _ => {}
        }
    }

    /// The expression's value.
    pub fn eval(&self, env: &dyn Env) -> Val {
        match self {
            Expr::Ref(r) => env.lookup(r),
            Expr::Dot => env.dot(),
            Expr::Str(s) => Val::Str(s.clone()),
            Expr::Num(n) => Val::Num(*n),
            Expr::Bool(b) => Val::Bool(*b),
            Expr::Today => Val::Str(env.today()),
            Expr::Not(a) => Val::Bool(!a.eval(env).truthy()),
            Expr::And(a, b) => Val::Bool(a.eval(env).truthy() && b.eval(env).truthy()),
            Expr::Or(a, b) => Val::Bool(a.eval(env).truthy() || b.eval(env).truthy()),
            Expr::Cmp(op, a, b) => Val::Bool(compare(*op, &a.eval(env), &b.eval(env))),
            Expr::Selected(a, b) => {
                let code = b.eval(env).as_text();
                Val::Bool(a.eval(env).items().iter().any(|v| v.as_text() == code))
            }
            Expr::Count(a) => Val::Num(a.eval(env).items().len() as f64),
            Expr::StringLength(a) => Val::Num(a.eval(env).as_text().chars().count() as f64),
        }
    }

    /// Whether the expression holds.
    pub fn holds(&self, env: &dyn Env) -> bool {
        self.eval(env).truthy()
    }
}

impl Val {
    pub fn truthy(&self) -> bool {
        match self {
            Val::Null => false,
            Val::Str(s) => !s.is_empty(),
            Val::Num(n) => *n != 0.0 && !n.is_nan(),
            Val::Bool(b) => *b,
            Val::List(l) => !l.is_empty(),
        }
    }

    /// The elements of a list; a single answer is a list of one, no answer a list of none.
    fn items(&self) -> Vec<Val> {
        match self {
            Val::Null => Vec::new(),
            Val::Str(s) if s.is_empty() => Vec::new(),
            Val::List(l) => l.iter().flat_map(Val::items).collect(),
            v => vec![v.clone()],
        }
    }

    fn as_text(&self) -> String {
        match self {
            Val::Null => String::new(),
            Val::Str(s) => s.clone(),
            Val::Num(n) => format_number(*n),
            Val::Bool(true) => "yes".into(),
            Val::Bool(false) => "no".into(),
            Val::List(l) => l.first().map(Val::as_text).unwrap_or_default(),
        }
    }

    fn as_number(&self) -> Option<f64> {
        match self {
            Val::Num(n) => Some(*n),
            Val::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// Integers print without a fraction, so `'3' = 3` compares as text too.
fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn compare(op: Op, a: &Val, b: &Val) -> bool {
    if let Val::List(items) = a {
        return items.iter().any(|x| compare(op, x, b));
    }
    if let Val::List(items) = b {
        return items.iter().any(|x| compare(op, a, x));
    }
    let numeric = matches!(a, Val::Num(_)) || matches!(b, Val::Num(_));
    let ordering = match (numeric, a.as_number(), b.as_number()) {
        (true, Some(x), Some(y)) => x.partial_cmp(&y),
        (true, _, _) if matches!(op, Op::Eq | Op::Ne) => None,
        (true, _, _) => return false,
        _ => Some(a.as_text().cmp(&b.as_text())),
    };
    use std::cmp::Ordering::*;
    match (op, ordering) {
        (Op::Eq, o) => o == Some(Equal),
        (Op::Ne, o) => o != Some(Equal),
        (_, None) => false,
        (Op::Lt, Some(o)) => o == Less,
        (Op::Le, Some(o)) => o != Greater,
        (Op::Gt, Some(o)) => o == Greater,
        (Op::Ge, Some(o)) => o != Less,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    struct Answers(BTreeMap<&'static str, Val>, Val);
    impl Env for Answers {
        fn lookup(&self, r: &str) -> Val {
            self.0.get(r).cloned().unwrap_or(Val::Null)
        }
        fn dot(&self) -> Val {
            self.1.clone()
        }
        fn today(&self) -> String {
            "2026-12-02".into()
        }
    }

    fn env() -> Answers {
        Answers(
            BTreeMap::from([
                ("age", Val::Num(17.0)),
                ("name", Val::Str("Ana".into())),
                ("needs", Val::List(vec![Val::Str("medical".into())])),
                ("alone", Val::Bool(true)),
                ("dob", Val::Str("2010-05-01".into())),
            ]),
            Val::Num(30.0),
        )
    }

    fn holds(src: &str) -> bool {
        parse(src).unwrap().holds(&env())
    }

    #[test]
    fn evaluates_like_xlsform() {
        assert!(holds("${age} < 18"));
        assert!(holds("${age} = '17'"));
        assert!(holds("${name} != '' and ${missing} = ''"));
        assert!(holds(
            "selected(${needs}, 'medical') and not(selected(${needs}, 'legal_aid'))"
        ));
        assert!(holds("${alone} = 'yes' or false()"));
        assert!(holds("count(${needs}) = 1 and count(${missing}) = 0"));
        assert!(holds(". >= 18 and . <= 120"));
        assert!(holds("${dob} < today()"));
        assert!(holds("string-length(${name}) = 3"));
        assert!(!holds("${missing} > 3"));
        assert!(!holds("${name} = 'ana'"));
        assert!(holds("-1 < 0"));
    }

    #[test]
    fn lists_the_references() {
        let e = parse("${a} = 'x' and selected(${b.c}, ${d})").unwrap();
        assert_eq!(e.refs(), vec!["a", "b.c", "d"]);
        assert!(!e.uses_dot());
        assert!(parse(". > 1").unwrap().uses_dot());
    }

    #[test]
    fn says_where_an_expression_is_wrong() {
        for (src, at) in [
            ("${a} = ", 7),
            ("${a", 0),
            ("'open", 0),
            ("frobnicate(1)", 0),
            ("${a} = 1 1", 9),
            ("not(1, 2)", 0),
            ("${a} ! 1", 5),
            ("#", 0),
        ] {
            let e = parse(src).unwrap_err();
            assert_eq!(e.at, at, "{src}: {e}");
        }
    }
}
