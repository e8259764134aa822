//! Is the `From:` address really the sender? Read from the `Authentication-Results` headers
//! (RFC 8601) that the vendor's own mail server added, and from no others: anyone can write
//! such a header into the mail they send, so one naming any other server is ignored.
//!
//! A sender counts as authenticated on a DMARC `pass` for the `From:` domain, or failing a
//! DMARC verdict, on a DKIM `pass` whose signing domain is aligned with it. A DMARC `fail`
//! from the trusted server outweighs any DKIM pass (the domain owner asked for exactly that).
//!
//! The trusted server must remove `Authentication-Results` headers that arrive carrying its
//! own authserv-id (RFC 8601 §5; OpenDMARC, OpenDKIM and rspamd do); otherwise a sender could
//! forge one under its name.

use std::fmt;

/// How the sender was authenticated, or why it was not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SenderAuth {
    /// DMARC passed for the `From:` domain.
    Dmarc { domain: String },
    /// A DKIM signature by `signer`, aligned with the `From:` domain, passed.
    AlignedDkim { signer: String },
    /// Not authenticated; the reason says what the trusted server reported.
    Unverified(Unverified),
}

/// Why a sender is not authenticated: what the trusted server reported, or did not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unverified {
    #[error("the sender address {from:?} has no domain")]
    NoDomain { from: String },
    #[error("no Authentication-Results from the trusted server {trusted}")]
    NoTrustedResults { trusted: String },
    #[error("dmarc={result} for {domain} (from {trusted})")]
    DmarcFailed {
        result: String,
        domain: String,
        trusted: String,
    },
    #[error("{trusted} reported neither DMARC nor DKIM for {domain}")]
    NoVerdict { trusted: String, domain: String },
    /// What the trusted server did report, as `method=result (domain)`.
    #[error("no DMARC pass or aligned DKIM pass for {domain} from {trusted}: {}", .seen.join(", "))]
    NotAligned {
        domain: String,
        trusted: String,
        seen: Vec<String>,
    },
    /// Verification is required but no server is named (configuration refuses this).
    #[error("no trusted server is configured")]
    NoTrustedServer,
}

impl SenderAuth {
    /// True when the sender may be acted on.
    pub fn verified(&self) -> bool {
        !matches!(self, SenderAuth::Unverified(_))
    }
}

impl fmt::Display for SenderAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SenderAuth::Dmarc { domain } => write!(f, "dmarc=pass for {domain}"),
            SenderAuth::AlignedDkim { signer } => write!(f, "dkim=pass aligned ({signer})"),
            SenderAuth::Unverified(why) => write!(f, "{why}"),
        }
    }
}

/// One `method=result` of a header, with the properties that bear on alignment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct MethodResult {
    method: String,
    result: String,
    /// `header.from` (DMARC) or `header.d` / the domain of `header.i` (DKIM), lower-cased.
    domain: Option<String>,
}

/// One parsed `Authentication-Results` header.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Header {
    authserv_id: String,
    results: Vec<MethodResult>,
}

/// Judges the sender of a message whose `From:` address is `from` and whose
/// `Authentication-Results` header values are `headers`, trusting only `trusted_id`.
pub fn verify(from: &str, headers: &[String], trusted_id: &str) -> SenderAuth {
    let from_domain = match from.rsplit_once('@') {
        Some((_, d)) if !d.is_empty() => d.trim_end_matches('.').to_ascii_lowercase(),
        _ => {
            return SenderAuth::Unverified(Unverified::NoDomain {
                from: from.to_string(),
            });
        }
    };
    let trusted: Vec<Header> = headers
        .iter()
        .filter_map(|h| parse(h))
        .filter(|h| h.authserv_id.eq_ignore_ascii_case(trusted_id))
        .collect();
    if trusted.is_empty() {
        return SenderAuth::Unverified(Unverified::NoTrustedResults {
            trusted: trusted_id.to_string(),
        });
    }
    let results = || trusted.iter().flat_map(|h| &h.results);
    // A DMARC verdict about another domain says nothing about this From.
    let dmarc: Vec<&MethodResult> = results()
        .filter(|r| r.method == "dmarc")
        .filter(|r| r.domain.as_deref().is_none_or(|d| d == from_domain))
        .collect();
    if let Some(bad) = dmarc
        .iter()
        .find(|r| r.result != "pass" && r.result != "none")
    {
        return SenderAuth::Unverified(Unverified::DmarcFailed {
            result: bad.result.clone(),
            domain: from_domain,
            trusted: trusted_id.to_string(),
        });
    }
    if dmarc.iter().any(|r| r.result == "pass") {
        return SenderAuth::Dmarc {
            domain: from_domain,
        };
    }
    let aligned = results()
        .filter(|r| r.method == "dkim" && r.result == "pass")
        .filter_map(|r| r.domain.as_deref())
        .find(|d| aligned(d, &from_domain));
    if let Some(signer) = aligned {
        return SenderAuth::AlignedDkim {
            signer: signer.to_string(),
        };
    }
    let seen: Vec<String> = results()
        .filter(|r| r.method == "dmarc" || r.method == "dkim")
        .map(|r| match &r.domain {
            Some(d) => format!("{}={} ({d})", r.method, r.result),
            None => format!("{}={}", r.method, r.result),
        })
        .collect();
    let trusted = trusted_id.to_string();
    SenderAuth::Unverified(if seen.is_empty() {
        Unverified::NoVerdict {
            trusted,
            domain: from_domain,
        }
    } else {
        Unverified::NotAligned {
            domain: from_domain,
            trusted,
            seen,
        }
    })
}

/// Relaxed alignment (RFC 7489 §3.1.1) without the public-suffix list: the signing domain is
/// the From domain or a parent of it, or a child of it. A one-label signer (`com`) never
/// aligns, so a signature by a top-level domain cannot cover everyone under it.
fn aligned(signer: &str, from_domain: &str) -> bool {
    let signer = signer.trim_end_matches('.');
    if !signer.contains('.') {
        return false;
    }
    signer == from_domain
        || from_domain.ends_with(&format!(".{signer}"))
        || signer.ends_with(&format!(".{from_domain}"))
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Equals,
    Semicolon,
}

/// Splits a header value into words, `=` and `;`, dropping comments and unquoting strings.
fn tokens(value: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = value.chars().peekable();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Token>| {
        if !word.is_empty() {
            out.push(Token::Word(std::mem::take(word)));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '(' => {
                flush(&mut word, &mut out);
                let mut depth = 1;
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => word.extend(chars.next()),
                        '"' => break,
                        c => word.push(c),
                    }
                }
                // An empty quoted string is still a value.
                out.push(Token::Word(std::mem::take(&mut word)));
            }
            '=' => {
                flush(&mut word, &mut out);
                out.push(Token::Equals);
            }
            ';' => {
                flush(&mut word, &mut out);
                out.push(Token::Semicolon);
            }
            c if c.is_whitespace() => flush(&mut word, &mut out),
            c => word.push(c),
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Parses one header value; `None` when it has no authserv-id.
fn parse(value: &str) -> Option<Header> {
    let tokens = tokens(value);
    let mut parts = tokens.split(|t| *t == Token::Semicolon);
    let authserv_id = match parts.next()?.first()? {
        Token::Word(w) => w.clone(),
        _ => return None,
    };
    let mut results = Vec::new();
    for part in parts {
        let mut pairs = part.windows(3).filter_map(|w| match w {
            [Token::Word(k), Token::Equals, Token::Word(v)] => {
                Some((k.to_ascii_lowercase(), v.clone()))
            }
            _ => None,
        });
        let Some((method, result)) = pairs.next() else {
            continue;
        };
        // `dkim/1=pass`: the method's version is not ours to judge.
        let method = method.split('/').next().unwrap_or_default().to_string();
        let mut r = MethodResult {
            method,
            result: result.to_ascii_lowercase(),
            domain: None,
        };
        for (key, value) in pairs {
            let value = value.to_ascii_lowercase();
            match (r.method.as_str(), key.as_str()) {
                ("dmarc", "header.from") | ("dkim", "header.d") => r.domain = Some(value),
                ("dkim", "header.i") if r.domain.is_none() => {
                    r.domain = value.rsplit_once('@').map(|(_, d)| d.to_string());
                }
                _ => {}
            }
        }
        results.push(r);
    }
    Some(Header {
        authserv_id,
        results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "mx.vendor.example";

    fn check(from: &str, headers: &[&str]) -> SenderAuth {
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        verify(from, &headers, ID)
    }

    #[test]
    fn verdicts() {
        let cases: &[(&str, &[&str], Option<&str>)] = &[
            // (from, headers, Some(kind) when verified)
            (
                "ann@customer.example",
                &[
                    "mx.vendor.example; dkim=pass header.d=customer.example; spf=pass; dmarc=pass (p=reject) header.from=customer.example",
                ],
                Some("dmarc"),
            ),
            (
                "ann@customer.example",
                &["MX.Vendor.Example 1; dmarc=pass header.from=Customer.Example"],
                Some("dmarc"),
            ),
            // Aligned DKIM without a DMARC verdict (the domain publishes no DMARC record).
            (
                "ann@mail.customer.example",
                &["mx.vendor.example; dkim=pass header.d=customer.example; dmarc=none"],
                Some("dkim"),
            ),
            (
                "ann@customer.example",
                &["mx.vendor.example; dkim=pass (good signature) header.i=@customer.example"],
                Some("dkim"),
            ),
            // A stranger's server says pass: ignored.
            (
                "ann@customer.example",
                &["mx.attacker.example; dmarc=pass header.from=customer.example"],
                None,
            ),
            // No header at all.
            ("ann@customer.example", &[], None),
            // DMARC fail outweighs an aligned DKIM pass.
            (
                "ann@customer.example",
                &[
                    "mx.vendor.example; dkim=pass header.d=customer.example; dmarc=fail header.from=customer.example",
                ],
                None,
            ),
            // DKIM by an unrelated domain.
            (
                "ann@customer.example",
                &["mx.vendor.example; dkim=pass header.d=mailer.example; dmarc=none"],
                None,
            ),
            // A one-label signer never aligns.
            (
                "ann@customer.example",
                &["mx.vendor.example; dkim=pass header.d=example"],
                None,
            ),
            // A DMARC pass for another domain does not cover this From.
            (
                "ann@customer.example",
                &["mx.vendor.example; dmarc=pass header.from=other.example"],
                None,
            ),
            // Explicit none.
            ("ann@customer.example", &["mx.vendor.example; none"], None),
            // A comment that looks like a result, and a quoted id.
            (
                "ann@customer.example",
                &[
                    "\"mx.vendor.example\" (dmarc=pass header.from=customer.example); dmarc=temperror header.from=customer.example",
                ],
                None,
            ),
            // The trusted header and a forged one under a stranger's name: the trusted wins.
            (
                "ann@customer.example",
                &[
                    "mx.vendor.example; dmarc=fail header.from=customer.example",
                    "mx.attacker.example; dmarc=pass header.from=customer.example",
                ],
                None,
            ),
            ("not-an-address", &["mx.vendor.example; dmarc=pass"], None),
            ("ann@customer.example", &["; ; = = ;"], None),
            ("ann@customer.example", &["mx.vendor.example; dmarc"], None),
        ];
        for (from, headers, want) in cases {
            let got = check(from, headers);
            let kind = match &got {
                SenderAuth::Dmarc { .. } => Some("dmarc"),
                SenderAuth::AlignedDkim { .. } => Some("dkim"),
                SenderAuth::Unverified(_) => None,
            };
            assert_eq!(kind, *want, "{from} {headers:?}: {got}");
        }
    }

    #[test]
    fn reasons_say_what_was_seen() {
        let got = check(
            "ann@customer.example",
            &["mx.vendor.example; dkim=fail header.d=customer.example"],
        );
        assert_eq!(
            got.to_string(),
            "no DMARC pass or aligned DKIM pass for customer.example from mx.vendor.example: dkim=fail (customer.example)"
        );
        let got = check("ann@customer.example", &[]);
        assert_eq!(
            got.to_string(),
            "no Authentication-Results from the trusted server mx.vendor.example"
        );
    }

    #[test]
    fn parses_grammar_corners() {
        let h = parse("mx.vendor.example 1 ; dkim/1 = pass reason=\"ok; fine\" header.d = a.example ; spf=pass smtp.mailfrom=a.example").unwrap();
        assert_eq!(h.authserv_id, "mx.vendor.example");
        assert_eq!(h.results.len(), 2);
        assert_eq!(h.results[0].method, "dkim");
        assert_eq!(h.results[0].domain.as_deref(), Some("a.example"));
        assert_eq!(parse(""), None);
        assert_eq!(parse("((unclosed"), None);
    }
}
