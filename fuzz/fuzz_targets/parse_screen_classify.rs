//! Arbitrary bytes through parse -> screen -> classify: nothing may panic, hang or blow the
//! stack. libfuzzer-sys aborts on any panic, even one that `parse`'s own panic boundary would
//! catch in production, so a crash here is a bug to fix, not to tolerate.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use mailclerk::classify::{ClassifyRules, classify};
use mailclerk::parse::{RawMail, parse};
use mailclerk::screen::{ScreenRules, screen};

static RULES: LazyLock<ClassifyRules> = LazyLock::new(ClassifyRules::defaults);

fuzz_target!(|bytes: &[u8]| {
    let raw = RawMail {
        origin: "fuzz".into(),
        received: None,
        bytes: bytes.to_vec(),
    };
    if let Ok(mail) = parse(&raw, 1 << 20) {
        let rules = ScreenRules {
            own_addresses: vec!["support@vendor.example".into()],
            loop_marker: "support@vendor.example".into(),
            ..Default::default()
        };
        let _ = screen(&mail, &rules);
        let _ = classify(&mail, &RULES);
    }
});
